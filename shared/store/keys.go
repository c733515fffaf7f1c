package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every key of the table is made here: its partition-key prefixes are what each function's
// policy in template.yaml grants (dynamodb:LeadingKeys), and KeyPrefixes lists them for the
// test that holds the template to them.

// The table's key attributes, and its TTL attribute.
const (
	attrPK      = "pk"
	attrSK      = "sk"
	attrGSI1PK  = "gsi1pk"
	attrGSI1SK  = "gsi1sk"
	attrExpires = "expiresAt"
)

// GSI1 is the index of the review queue, the undelivered notices and the counters by period.
const GSI1 = "gsi1"

// Partition-key prefixes of the table.
const (
	prefixAccount   = "ACCOUNT#"
	prefixCaptcha   = "CAPTCHA#"
	prefixCode      = "CODE#"
	prefixPhone     = "PHONE#"
	prefixFiler     = "FILER#"
	prefixSession   = "SESSION#"
	prefixReset     = "RESET#"
	prefixResetLink = "RESETLINK#"
	prefixReview    = "REVIEW#"
	prefixNotice    = "NOTICE#"
	prefixLogin     = "LOGIN#"
	prefixAddress   = "ADDR#"
	prefixMailbox   = "MAILTO#"
	prefixBudget    = "BUDGET#"
	prefixProbe     = "PROBE#"
	prefixPhotoHash = "PHOTOHASH#"
	// WeChat: a pushed message or query seen, a user (by a keyed hash of the OpenID), a
	// binding code (by its hash).
	prefixWechatSeen = "WXSEEN#"
	prefixWechatUser = "WXUSER#"
	prefixWechatBind = "WXBIND#"
	// The service account's shared access token.
	prefixWechatToken = "WXTOKEN#"
)

// Purposes of SMS codes. Each keeps its codes under a prefix of its own, which the template
// grants apart: the functions of registration never touch a reset's code.
const (
	CodeForRegistration = "register"
	CodeForReset        = "reset"
	// CodeForContact proves a mobile a logged-in change or a correction will put on an account.
	CodeForContact = "contact"
	// CodeForEmail proves a new e-mail address of a logged-in applicant; mailed, not texted.
	CodeForEmail = "email"
	// CodeForWechat is a registration code asked in WeChat, for a document number.
	CodeForWechat = "wechat"
	// CodeForWechatReset is a reset code asked in WeChat by the account's bound user.
	CodeForWechatReset = "wxreset"
)

// 教育部 unified login (OpenID Connect): a login in progress (by its state's hash), a
// provider identity's link to an account (by a hash of issuer and subject), a one-time login
// code (by its hash).
const (
	prefixFedState = "FEDSTATE#"
	prefixFedLink  = "FEDLINK#"
	prefixFedCode  = "FEDCODE#"
)

func fedStateKey(stateHash string) map[string]types.AttributeValue {
	return key(prefixFedState+stateHash, "STATE")
}

func fedLinkKey(linkHash string) map[string]types.AttributeValue {
	return key(prefixFedLink+linkHash, "LINK")
}

func fedCodeKey(codeHash string) map[string]types.AttributeValue {
	return key(prefixFedCode+codeHash, "CODE")
}

// KeyPrefixes are the partition-key prefixes of every item the functions read or write.
func KeyPrefixes() []string {
	return []string{prefixAccount, prefixCaptcha, prefixCode + CodeForRegistration + "#", prefixCode + CodeForReset + "#", prefixCode + CodeForContact + "#", prefixCode + CodeForEmail + "#", prefixCode + CodeForWechat + "#", prefixCode + CodeForWechatReset + "#",
		prefixWechatSeen, prefixWechatUser, prefixWechatBind, prefixWechatToken,
		prefixPhone, prefixFiler, prefixSession, prefixReset, prefixResetLink, prefixReview, prefixPhotoHash, prefixNotice, prefixLogin, prefixAddress, prefixMailbox, prefixBudget,
		prefixFedState, prefixFedLink, prefixFedCode}
}

// Partitions of gsi1.
const (
	indexCounters = "COUNTERS#" // + period + "#" + shard
	indexReviews  = "REVIEWS#"  // + status
	indexNotices  = "NOTICES"
)

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: s(pk), attrSK: s(sk)}
}

func captchaKey(id string) map[string]types.AttributeValue { return key(prefixCaptcha+id, "CAPTCHA") }

func (k CodeKey) item() map[string]types.AttributeValue {
	return key(prefixCode+k.Purpose+"#"+k.Subject, "CODE")
}

func accountKey(login string) map[string]types.AttributeValue {
	return key(prefixAccount+login, "ACCOUNT")
}

func sessionKey(tokenHash string) map[string]types.AttributeValue {
	return key(prefixSession+tokenHash, "SESSION")
}

func resetKey(id string) map[string]types.AttributeValue { return key(prefixReset+id, "RESET") }

func resetLinkKey(tokenHash string) map[string]types.AttributeValue {
	return key(prefixResetLink+tokenHash, "LINK")
}

func reviewKey(id string) map[string]types.AttributeValue { return key(prefixReview+id, "REVIEW") }
func photoKey(id string) map[string]types.AttributeValue  { return key(prefixReview+id, "PHOTO") }

// photoHashKey is a kept photo's SHA-256 (hex): which review keeps those bytes.
func photoHashKey(hash string) map[string]types.AttributeValue {
	return key(prefixPhotoHash+hash, "PHOTOHASH")
}

// photoReadKey is one read of a review's photo, in the review's partition.
func photoReadKey(reviewID string, atMs int64, reviewerID string) map[string]types.AttributeValue {
	return key(prefixReview+reviewID, fmt.Sprintf("%s%013d#%s", photoReadPrefix, atMs, reviewerID))
}

const photoReadPrefix = "READ#"

// entryKey is the review's entry in the applicant's own partition, for GET /v1/me/manual-reviews.
func entryKey(login string, submittedAt int64, id string) map[string]types.AttributeValue {
	return key(prefixAccount+login, fmt.Sprintf("%s%013d#%s", entryPrefix, submittedAt, id))
}

const entryPrefix = "REVIEW#"

func noticeKey(reviewID string) map[string]types.AttributeValue {
	return key(prefixNotice+reviewID, "NOTICE")
}

// guardKey is the item that counts a login guard's attempts (see AdmitLoginSpending).
func guardKey(guard string) map[string]types.AttributeValue { return key(prefixLogin+guard, "GUARD") }

func probeKey() map[string]types.AttributeValue { return key(prefixProbe+"transactions", "PROBE") }

// queueKey is the gsi1 partition of the reviews with a status.
func queueKey(status string) string { return indexReviews + status }

// timeOrder is a gsi1 sort key that lists by time (epoch ms), then id.
func timeOrder(ms int64, id string) string { return fmt.Sprintf("%013d#%s", ms, id) }

// A counter counts uses of a quota in one period (a CST day, a half-year cycle). Each period
// has its own item, so a counter of an ended period never blocks anyone; it expires by TTL a
// day after its period, and the scheduled reset finds and clears it earlier through gsi1,
// where counters are listed by period in CounterShards partitions.
type counter struct {
	pk, sk string
	period string
	// brief: a counter of a period of minutes, which its TTL clears; it is listed in no
	// index, so the scheduled reset never reads it.
	brief bool
}

// CounterShards spreads one period's counters over this many gsi1 partitions, so a busy day
// does not make one hot index partition.
const CounterShards = 16

func counterIndexKey(period string, shard int) string {
	return indexCounters + period + "#" + strconv.Itoa(shard)
}

func (c counter) key() map[string]types.AttributeValue { return key(c.pk, c.sk) }

func (c counter) shard() int {
	h := fnv.New32a()
	h.Write([]byte(c.pk))
	return int(h.Sum32() % CounterShards)
}

// mailboxDay counts the codes and links mailed to one mailbox on a CST day, across accounts;
// the mailbox is kept as a hash (an address is personal data a key should not hold), and
// the counter by its day alone, which its TTL clears.
func mailboxDay(address, day string) counter {
	sum := sha256.Sum256([]byte(mailbox(address)))
	return counter{pk: prefixMailbox + hex.EncodeToString(sum[:16]), sk: "MAILDAY#" + day, period: day, brief: true}
}

// mailbox is the mailbox an address reaches, as far as its spelling tells: lower case,
// without a +tag (which most providers deliver to the untagged box), and for Gmail without
// the dots it ignores, so that spellings of one box share its day.
func mailbox(address string) string {
	local, domain, _ := strings.Cut(strings.ToLower(strings.TrimSpace(address)), "@")
	local, _, _ = strings.Cut(local, "+")
	if domain == "gmail.com" || domain == "googlemail.com" {
		local, domain = strings.ReplaceAll(local, ".", ""), "gmail.com"
	}
	return local + "@" + domain
}

func smsDay(phone, day string) counter {
	return counter{pk: prefixPhone + phone, sk: "SMSDAY#" + day, period: day}
}

func verifyDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "VERIFYDAY#" + day, period: day}
}

// resetMailDay counts an account's reset mails on a CST day.
func resetMailDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "RESETMAILDAY#" + day, period: day}
}

// emailCodeDay counts the codes an account had mailed to a new address on a CST day.
func emailCodeDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "EMAILCODEDAY#" + day, period: day}
}

// noticeDay counts the account-security notices an account was told on a CST day.
func noticeDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "NOTICEDAY#" + day, period: day}
}

// secondFactorDay counts a reviewer's second-factor codes tried after a right password on a
// CST day.
func secondFactorDay(login, day string) counter {
	return counter{pk: prefixAccount + login, sk: "OTPDAY#" + day, period: day}
}

// addressMinute counts what one source address asked for in one minute (UTC, yyyymmddhhmm).
func addressMinute(addr, what, minute string) counter {
	return counter{pk: prefixAddress + addr, sk: what + "#" + minute, period: minute, brief: true}
}

// smsBudget counts every SMS of one hour (UTC, yyyymmddhh), against the deployment's budget.
// One item takes every SMS of the hour: well within a partition's thousand writes a second.
func smsBudget(hour string) counter {
	return counter{pk: prefixBudget + "SMS", sk: "HOUR#" + hour, period: hour, brief: true}
}

// photoHour counts the photos decoded for an account in one hour (UTC, yyyymmddhh).
func photoHour(login, hour string) counter {
	return counter{pk: prefixAccount + login, sk: "PHOTOHOUR#" + hour, period: hour, brief: true}
}

// mobilePhotoHour counts the photos decoded for filings proven with one mobile in one hour
// (UTC, yyyymmddhh): an account correction is counted on its filer's mobile, not on the
// account it names, whose own hour a stranger must not be able to use up.
// Its partition is the filer's, not the mobile's PHONE#, so that the function filing
// corrections is granted no write to the mobile's SMS counts.
func mobilePhotoHour(phone, hour string) counter {
	return counter{pk: prefixFiler + phone, sk: "PHOTOHOUR#" + hour, period: hour, brief: true}
}

// correctionCycle counts the contact corrections and ownership claims filed on one document
// number in a cycle.
func correctionCycle(login, cycle string) counter {
	return counter{pk: prefixAccount + login, sk: "CORRECTIONCYCLE#" + cycle, period: cycle}
}

func reviewCycle(login, cycle string) counter {
	return counter{pk: prefixAccount + login, sk: "REVIEWCYCLE#" + cycle, period: cycle}
}
