package main

import (
	"strconv"
	"strings"
)

// DynamoDB bills by item size: an attribute costs its name's UTF-8 bytes plus its value's —
// a string its UTF-8 bytes, a number one byte per two significant digits plus one, a boolean
// or null one byte, binary its bytes, a map 3 bytes plus, per element, 1 byte and the
// element's name and value. The sample items below follow docs/DATA.md's "Items" table
// attribute by attribute, with the values of a typical applicant: an 18-character resident
// ID, a three-character name, a +86 mobile, a 20-character mail address.

type (
	num  float64 // a number attribute
	blob int     // a binary attribute of so many bytes
)

// attrs is an item, or a map attribute.
type attrs map[string]any

func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case num:
		digits := strings.Trim(strings.NewReplacer("-", "", ".", "").Replace(strconv.FormatFloat(float64(x), 'f', -1, 64)), "0")
		return (max(len(digits), 1)+1)/2 + 1
	case bool, nil:
		return 1
	case blob:
		return int(x)
	case attrs:
		n := 3
		for k, e := range x {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	panic("bill: no size rule for this value")
}

// itemSize is an item's billed size in bytes.
func itemSize(item attrs) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

// Sample values.
const (
	login     = "110101199003071234" // a resident ID: the account's login
	accountID = "a1B2c3D4e5F6g7H8i9J0kL"
	mobile    = "+8613812345678"
	mail      = "zhangsan1990@163.com"
	now       = num(1795833600)                                                    // epoch seconds
	nowMS     = num(1795833600123)                                                 // epoch milliseconds
	hash64    = "3b7e1f0c9a2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f" // SHA-256 or HMAC, hex
	reviewID  = "r7Qk2mZp9XvB4nLs8TdW1g"
	mark      = "Xq3vN8kZ2pLw" // a write's random mark (putBy, updatedBy, takenBy), base64url
	dateCST   = "2026-11-28"
)

// PhotoBytes is the stored review photo. The pages fit the applicant's photo under 190 KB
// (web/src/lib/photo.ts) and the server encodes it again at quality 90, then 75, then 60,
// keeping the first under 190 KB (shared/photo): an assumption of 150 KB for a phone photo.
const PhotoBytes = 150 * 1024

// Items are the sample items, by the name the operation table uses.
var Items = map[string]attrs{
	"captcha": {"pk": "CAPTCHA#" + reviewID, "sk": "CAPTCHA", "x": num(187), "y": num(64), "expiresAt": now,
		"putBy": mark},
	"addrMinute": {"pk": "ADDR#203.0.113.45", "sk": "CAPTCHAS#202611280800", "used": num(3),
		"expiresAt": now, "updatedBy": mark},
	"addrHour": {"pk": "ADDR#203.0.113.45", "sk": "SMSHOUR#2026112808", "used": num(2), "expiresAt": now, "updatedBy": mark},
	"budget":   {"pk": "BUDGET#SMS", "sk": "HOUR#2026112808", "used": num(1834), "expiresAt": now, "updatedBy": mark},
	// A day's SMS counter is in gsi1 (the scheduled reset finds it there).
	"smsDay": {"pk": "PHONE#" + mobile, "sk": "SMSDAY#" + dateCST, "used": num(1),
		"gsi1pk": "COUNTERS#" + dateCST + "#7", "gsi1sk": "PHONE#" + mobile + "|SMSDAY#" + dateCST, "expiresAt": now, "updatedBy": mark},
	"code": {"pk": "CODE#register#" + mobile, "sk": "CODE", "codeHash": hash64, "attempts": num(1),
		"usedFor": login, "expiresAt": now, "updatedBy": mark},
	"resetCode": {"pk": "CODE#reset#" + reviewID, "sk": "CODE", "codeHash": hash64, "attempts": num(1),
		"usedFor": login, "login": login, "epoch": num(1), "expiresAt": now, "updatedBy": mark},
	"account": {"pk": "ACCOUNT#" + login, "sk": "ACCOUNT", "accountId": accountID, "role": "applicant",
		"idType": "resident_id", "name": "张三丰", "idValidFrom": "2016-05-01", "idValidTo": "2036-05-01",
		"passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + hash64[:43],
		"email":        mail, "phone": mobile, "agreementVersion": "2026-01", "agreementAcceptedAt": "2026-11-28T08:00:00+08:00",
		"createdAt": "2026-11-28T08:00:00+08:00", "epoch": num(1),
		"profile":      attrs{"ethnicity": "汉族"},
		"verification": attrs{"status": "verified", "onlineFailed": true}},
	"session": {"pk": "SESSION#" + hash64, "sk": "SESSION", "login": login, "accountId": accountID,
		"role": "applicant", "epoch": num(1), "createdAt": now, "expiresAt": now, "idleUntil": now, "updatedBy": mark},
	"guard": {"pk": "LOGIN#" + login, "sk": "GUARD", "attempts": num(1), "lastAt": now, "expiresAt": now, "updatedBy": mark},
	// The day's verifications and the cycle's reviews: counters in gsi1.
	"verifyDay": {"pk": "ACCOUNT#" + login, "sk": "VERIFYDAY#" + dateCST, "used": num(1),
		"gsi1pk": "COUNTERS#" + dateCST + "#7", "gsi1sk": "ACCOUNT#" + login + "|VERIFYDAY#" + dateCST, "expiresAt": now, "updatedBy": mark},
	"reviewCycle": {"pk": "ACCOUNT#" + login, "sk": "REVIEWCYCLE#2026-2", "used": num(1),
		"gsi1pk": "COUNTERS#2026-2#7", "gsi1sk": "ACCOUNT#" + login + "|REVIEWCYCLE#2026-2", "expiresAt": now, "updatedBy": mark},
	"photoHour": {"pk": "ACCOUNT#" + login, "sk": "PHOTOHOUR#2026112808", "used": num(1), "expiresAt": now, "updatedBy": mark},
	"review": {"pk": "REVIEW#" + reviewID, "sk": "REVIEW", "kind": "identity", "login": login, "accountId": accountID,
		"name": "张三丰", "idType": "resident_id", "idNumber": login, "idValidFrom": "2016-05-01",
		"idValidTo": "2036-05-01", "nameBefore": "张三丰", "phone": mobile, "email": mail, "status": "pending",
		"reason": "证件照片不清晰，请重新拍摄", "submittedAt": nowMS, "dueAt": nowMS, "decidedAt": nowMS,
		"decidedBy": "REVIEWER01", "gsi1pk": "REVIEWS#pending", "gsi1sk": "1795833600123#" + reviewID},
	"photo":     {"pk": "REVIEW#" + reviewID, "sk": "PHOTO", "photo": blob(PhotoBytes), "expiresAt": now},
	"photoHash": {"pk": "PHOTOHASH#" + strings.Repeat("0f", 32), "sk": "PHOTOHASH", "reviewId": reviewID, "expiresAt": now},
	"reviewEntry": {"pk": "ACCOUNT#" + login, "sk": "REVIEW#1795833600123#" + reviewID, "reviewId": reviewID,
		"kind": "identity", "status": "pending", "reason": "证件照片不清晰，请重新拍摄", "submittedAt": nowMS,
		"dueAt": nowMS, "decidedAt": nowMS},
	"photoRead": {"pk": "REVIEW#" + reviewID, "sk": "READ#1795833600123#REVIEWER01", "reviewerId": "REVIEWER01",
		"readAt": nowMS},
	"notice": {"pk": "NOTICE#" + reviewID, "sk": "NOTICE", "phone": mobile, "email": mail, "name": "张三丰",
		"approve": true, "nameChanged": false, "reason": "", "kind": "identity", "sms": true, "mail": true,
		"leaseUntil": now, "attempts": num(0), "decidedAt": nowMS, "expiresAt": now,
		"gsi1pk": "NOTICES", "gsi1sk": "1795833600123#" + reviewID, "updatedBy": mark},
	"reset": {"pk": "RESET#" + reviewID, "sk": "RESET", "login": login, "name": "张三丰", "epoch": num(1),
		"phone": mobile, "email": mail, "mails": num(0), "expiresAt": now, "updatedBy": mark},
}

// Size is the named sample item's size in bytes; it panics on a name the table lacks, so
// a misspelt item in the operation table fails the test at once.
func Size(name string) int {
	item, ok := Items[name]
	if !ok {
		panic("bill: no sample item " + strconv.Quote(name))
	}
	return itemSize(item)
}
