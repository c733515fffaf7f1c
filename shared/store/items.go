package store

import (
	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/casework"
	"github.com/jszg/applicant-accounts/shared/reset"
)

// The items' shapes: the attribute names of each kind of item, which conditions and update
// expressions name too. They are the store's own; the domain's values carry no tags.

type accountItem struct {
	Login               string            `dynamodbav:"login"`
	AccountID           string            `dynamodbav:"accountId"`
	Role                string            `dynamodbav:"role"`
	IDType              string            `dynamodbav:"idType,omitempty"`
	Name                string            `dynamodbav:"name"`
	IDValidFrom         string            `dynamodbav:"idValidFrom,omitempty"`
	IDValidTo           string            `dynamodbav:"idValidTo,omitempty"`
	PasswordHash        string            `dynamodbav:"passwordHash"`
	Email               string            `dynamodbav:"email,omitempty"`
	Phone               string            `dynamodbav:"phone,omitempty"`
	AgreementVersion    string            `dynamodbav:"agreementVersion,omitempty"`
	AgreementAcceptedAt string            `dynamodbav:"agreementAcceptedAt,omitempty"`
	CreatedAt           string            `dynamodbav:"createdAt"`
	Epoch               int64             `dynamodbav:"epoch"`
	TOTPSecret          string            `dynamodbav:"totpSecret,omitempty"`
	TOTPStep            int64             `dynamodbav:"totpStep,omitempty"`
	CorrectionID        string            `dynamodbav:"correctionId,omitempty"`
	OwnedSince          int64             `dynamodbav:"ownedSince,omitempty"`
	WechatUser          string            `dynamodbav:"wechat,omitempty"`
	PhoneUnproven       bool              `dynamodbav:"phoneUnproven,omitempty"`
	Profile             *profileItem      `dynamodbav:"profile,omitempty"`
	Verification        verificationState `dynamodbav:"verification"`
}

type profileItem struct {
	Ethnicity     string `dynamodbav:"ethnicity"`
	Gender        string `dynamodbav:"gender,omitempty"`
	BirthDate     string `dynamodbav:"birthDate,omitempty"`
	LocalIDNumber string `dynamodbav:"localIdNumber,omitempty"`
	PermitNumber  string `dynamodbav:"permitNumber,omitempty"`
}

type verificationState struct {
	Status          string `dynamodbav:"status"`
	OnlineFailed    bool   `dynamodbav:"onlineFailed,omitempty"`
	ReviewID        string `dynamodbav:"reviewId,omitempty"`
	RejectReason    string `dynamodbav:"rejectReason,omitempty"`
	ReapplyRequired bool   `dynamodbav:"reapplyRequired,omitempty"`
	NameChangeID    string `dynamodbav:"nameChangeId,omitempty"`
}

func accountItemOf(a account.Account) accountItem {
	it := accountItem{
		Login: a.Login, AccountID: a.AccountID, Role: a.Role, IDType: a.IDType, Name: a.Name,
		IDValidFrom: a.IDValidFrom, IDValidTo: a.IDValidTo, PasswordHash: a.PasswordHash, Email: a.Email,
		Phone: a.Phone, AgreementVersion: a.AgreementVersion, AgreementAcceptedAt: a.AgreementAcceptedAt,
		CreatedAt: a.CreatedAt, Epoch: a.Epoch, TOTPSecret: a.TOTPSecret, TOTPStep: a.TOTPStep,
		CorrectionID: a.CorrectionID, OwnedSince: a.OwnedSince, WechatUser: a.WechatUser, PhoneUnproven: a.PhoneUnproven,
		Verification: verificationState(a.Verification),
	}
	if a.Profile != nil {
		p := profileItem(*a.Profile)
		it.Profile = &p
	}
	return it
}

func (it accountItem) account() account.Account {
	a := account.Account{
		Login: it.Login, AccountID: it.AccountID, Role: it.Role, IDType: it.IDType, Name: it.Name,
		IDValidFrom: it.IDValidFrom, IDValidTo: it.IDValidTo, PasswordHash: it.PasswordHash, Email: it.Email,
		Phone: it.Phone, AgreementVersion: it.AgreementVersion, AgreementAcceptedAt: it.AgreementAcceptedAt,
		CreatedAt: it.CreatedAt, Epoch: it.Epoch, TOTPSecret: it.TOTPSecret, TOTPStep: it.TOTPStep,
		CorrectionID: it.CorrectionID, OwnedSince: it.OwnedSince, WechatUser: it.WechatUser, PhoneUnproven: it.PhoneUnproven,
		Verification: account.Verification(it.Verification),
	}
	if it.Profile != nil {
		p := account.Profile(*it.Profile)
		a.Profile = &p
	}
	return a
}

type sessionItem struct {
	Login     string `dynamodbav:"login"`
	AccountID string `dynamodbav:"accountId"`
	Role      string `dynamodbav:"role"`
	Epoch     int64  `dynamodbav:"epoch"`
	CreatedAt int64  `dynamodbav:"createdAt"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
	IdleUntil int64  `dynamodbav:"idleUntil"`
}

type reviewItem struct {
	ID                string `dynamodbav:"reviewId"`
	Kind              string `dynamodbav:"kind,omitempty"`
	Login             string `dynamodbav:"login"`
	AccountID         string `dynamodbav:"accountId"`
	Name              string `dynamodbav:"name"`
	IDType            string `dynamodbav:"idType"`
	IDNumber          string `dynamodbav:"idNumber"`
	IDValidFrom       string `dynamodbav:"idValidFrom"`
	IDValidTo         string `dynamodbav:"idValidTo"`
	NameBefore        string `dynamodbav:"nameBefore"`
	Phone             string `dynamodbav:"phone"`
	Email             string `dynamodbav:"email"`
	OldPhone          string `dynamodbav:"oldPhone,omitempty"`
	OldEmail          string `dynamodbav:"oldEmail,omitempty"`
	OldPhoneUnproven  bool   `dynamodbav:"oldPhoneUnproven,omitempty"`
	Status            string `dynamodbav:"status"`
	Reason            string `dynamodbav:"reason,omitempty"`
	SubmittedAt       int64  `dynamodbav:"submittedAt"`
	DueAt             int64  `dynamodbav:"dueAt"`
	DecidedAt         int64  `dynamodbav:"decidedAt,omitempty"`
	DecidedBy         string `dynamodbav:"decidedBy,omitempty"`
	OverdueReportedAt int64  `dynamodbav:"overdueReportedAt,omitempty"`
	FirstApprovedBy   string `dynamodbav:"firstApprovedBy,omitempty"`
	FirstApprovedAt   int64  `dynamodbav:"firstApprovedAt,omitempty"`
	PhotoKeptIn       string `dynamodbav:"photoKeptIn,omitempty"`
}

type entryItem struct {
	ID          string `dynamodbav:"reviewId"`
	Kind        string `dynamodbav:"kind,omitempty"`
	Status      string `dynamodbav:"status"`
	Reason      string `dynamodbav:"reason,omitempty"`
	SubmittedAt int64  `dynamodbav:"submittedAt"`
	DueAt       int64  `dynamodbav:"dueAt,omitempty"`
	DecidedAt   int64  `dynamodbav:"decidedAt,omitempty"`
}

type noticeItem struct {
	ReviewID    string `dynamodbav:"reviewId"`
	Kind        string `dynamodbav:"kind,omitempty"`
	Phone       string `dynamodbav:"phone"`
	Email       string `dynamodbav:"email"`
	Name        string `dynamodbav:"name"`
	Approve     bool   `dynamodbav:"approve"`
	NameChanged bool   `dynamodbav:"nameChanged"`
	Reason      string `dynamodbav:"reason"`
	OldPhone    string `dynamodbav:"oldPhone,omitempty"`
	OldEmail    string `dynamodbav:"oldEmail,omitempty"`
	SMS         bool   `dynamodbav:"sms"`
	Mail        bool   `dynamodbav:"mail"`
	OldSMS      bool   `dynamodbav:"oldSms,omitempty"`
	OldMail     bool   `dynamodbav:"oldMail,omitempty"`
	LeaseUntil  int64  `dynamodbav:"leaseUntil"`
	Attempts    int    `dynamodbav:"attempts"`
	DecidedAt   int64  `dynamodbav:"decidedAt"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
}

type requestItem struct {
	Login     string `dynamodbav:"login"`
	Name      string `dynamodbav:"name"`
	Epoch     int64  `dynamodbav:"epoch"`
	Phone     string `dynamodbav:"phone"`
	Email     string `dynamodbav:"email"`
	Mails     int    `dynamodbav:"mails"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

func requestItemOf(r reset.Request) requestItem {
	return requestItem{Login: r.Login, Name: r.Name, Epoch: r.Epoch, Phone: r.Phone, Email: r.Email, Mails: r.Mails, ExpiresAt: r.ExpiresAt}
}

func (it requestItem) request(id string) reset.Request {
	return reset.Request{ID: id, Login: it.Login, Name: it.Name, Epoch: it.Epoch, Phone: it.Phone, Email: it.Email, Mails: it.Mails, ExpiresAt: it.ExpiresAt}
}

type linkItem struct {
	Login     string `dynamodbav:"login"`
	Epoch     int64  `dynamodbav:"epoch"`
	ResetID   string `dynamodbav:"resetId,omitempty"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// The values whose fields are their items' one for one convert by type; these keep the
// compiler checking that they still are.
var (
	_ = account.Session(sessionItem{})
	_ = casework.Review(reviewItem{})
	_ = casework.Entry(entryItem{})
	_ = casework.Notice(noticeItem{})
	_ = reset.Link(linkItem{})
)
