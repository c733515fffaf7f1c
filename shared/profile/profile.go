package profile

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/api"
	"github.com/jszg/applicant-accounts/shared/authn"
	"github.com/jszg/applicant-accounts/shared/clock"
	"github.com/jszg/applicant-accounts/shared/identity"
	"github.com/jszg/applicant-accounts/shared/quota"
)

// EditStore keeps profiles.
type EditStore interface {
	MeStore
	SetProfile(ctx context.Context, login string, p account.Profile) (account.Account, error)
}

// Form is the profile body of SPEC §2; which fields a document type needs is in Check.
type Form struct {
	Ethnicity     string `json:"ethnicity"`
	Gender        string `json:"gender"`
	BirthDate     string `json:"birthDate"`
	LocalIDNumber string `json:"localIdNumber"`
	PermitNumber  string `json:"permitNumber"`
}

// NewEdit answers PUT /v1/me/profile: it completes or corrects the profile, unless a manual
// review is pending. Two round trips: the session, the account and the counters (for the
// answer) at once; the update, which returns the account.
func NewEdit(db EditStore, clk clock.Clock) api.HandlerFunc {
	return authn.NewGate(db, clk).Reading(usageOf(db)).Applicant(func(ctx context.Context, r *api.Request, p *authn.Principal) (*api.Response, error) {
		u, err := authn.ReadOf[quota.Usage](p)
		if err != nil {
			return nil, err
		}
		var f Form
		if err := r.Decode(&f); err != nil {
			return nil, err
		}
		if err := p.Account.MayChangeIdentity(); err != nil {
			return nil, ReviewPending()
		}
		prof, err := f.Check(p.Account, clk.Now().In(clock.CST))
		if err != nil {
			return nil, err
		}
		acct, err := db.SetProfile(ctx, p.Account.Login, prof)
		if errors.Is(err, account.ErrReviewPending) {
			return nil, ReviewPending()
		}
		if err != nil {
			return nil, err
		}
		return api.JSON(http.StatusOK, Show(acct, u)), nil
	})
}

// ReviewPending is the answer to a change while a manual review is pending.
func ReviewPending() error {
	return api.Conflict(api.CodeReviewPending, "人工审核期间不能修改信息、进行实名核验或再次提交审核，请等待审核结果")
}

// Check applies the rules of SPEC §1 for the account's document type. today is in CST.
func (f *Form) Check(a account.Account, today time.Time) (account.Profile, error) {
	eth, err := identity.LookupEthnicity(f.Ethnicity)
	if err != nil {
		return account.Profile{}, api.Invalid("ethnicity", err)
	}
	p := account.Profile{Ethnicity: eth.Code}
	t := identity.IDType(a.IDType)
	if t == identity.ResidentID {
		for _, extra := range [][2]string{{"gender", f.Gender}, {"birthDate", f.BirthDate}, {"localIdNumber", f.LocalIDNumber}, {"permitNumber", f.PermitNumber}} {
			if extra[1] != "" {
				return account.Profile{}, api.InvalidField(extra[0], "居民身份证用户只需填写民族：性别和出生日期由证件号码确定，无需填写其他证件号码")
			}
		}
		birth, g, ok := identity.EmbeddedBirthAndGender(a.Login)
		if !ok {
			return account.Profile{}, api.InvalidField("ethnicity", "账号的证件号码无法读取出生日期")
		}
		p.Gender, p.BirthDate = string(g), birth.Format(identity.DateLayout)
		return p, nil
	}
	g, err := identity.ParseGender(f.Gender)
	if err != nil {
		return account.Profile{}, api.Invalid("gender", err)
	}
	if p.BirthDate, err = identity.CheckBirthDate(f.BirthDate, today); err != nil {
		return account.Profile{}, api.Invalid("birthDate", err)
	}
	p.Gender = string(g)
	region := identity.PermitRegion(t, a.Login)
	if p.LocalIDNumber, err = identity.NormalizeLocalCard(region, f.LocalIDNumber); err != nil {
		return account.Profile{}, api.Invalid("localIdNumber", err)
	}
	if t != identity.HMTResidencePermit {
		if f.PermitNumber != "" {
			return account.Profile{}, api.InvalidField("permitNumber", "通行证号码即您的账号，无需再填写")
		}
		return p, nil
	}
	// A residence permit's number carries a birth date and a gender digit: they must agree.
	birth, embedded, _ := identity.EmbeddedBirthAndGender(a.Login)
	if birth.Format(identity.DateLayout) != p.BirthDate {
		return account.Profile{}, api.InvalidField("birthDate", "出生日期与居住证号码中的出生日期不一致")
	}
	if embedded != g {
		return account.Profile{}, api.InvalidField("gender", "性别与居住证号码中的性别不一致")
	}
	if p.PermitNumber, err = matchingPermit(region, f.PermitNumber, today); err != nil {
		return account.Profile{}, err
	}
	return p, nil
}

// matchingPermit checks the 通行证 that goes with a residence permit: H… for Hong Kong
// (810000), M… for Macau (820000), a Taiwan permit for Taiwan (830000).
func matchingPermit(region identity.Region, raw string, today time.Time) (string, error) {
	permitType, lead, name := identity.HKMacauPermit, "H", "港澳居民来往内地通行证（H开头）"
	switch region {
	case identity.RegionMacau:
		lead, name = "M", "港澳居民来往内地通行证（M开头）"
	case identity.RegionTaiwan:
		permitType, lead, name = identity.TaiwanPermit, "", "五年有效期台湾居民来往大陆通行证"
	}
	num, err := identity.NormalizeDocumentNumber(permitType, raw, today)
	if err != nil {
		return "", api.Invalid("permitNumber", err)
	}
	if lead != "" && num[:1] != lead {
		return "", api.InvalidField("permitNumber", "请填写与居住证对应的"+name+"号码")
	}
	return num, nil
}
