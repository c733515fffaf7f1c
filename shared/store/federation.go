package store

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jszg/applicant-accounts/shared/account"
	"github.com/jszg/applicant-accounts/shared/awsenv"
)

// The 教育部 unified login (OpenID Connect federation): a login in progress, the link of a
// provider identity to an account, the one-time code the front end exchanges for a session.

// FederatedFlow is a login sent to the provider and not back yet: what its callback needs.
// It travels sealed in the login's state (NewFederatedState); flows started before the seal
// were kept in the table under the state's hash (StartFederatedFlow, TakeFederatedFlow).
type FederatedFlow struct {
	Nonce    string `dynamodbav:"nonce" json:"n"`
	Verifier string `dynamodbav:"verifier" json:"v"` // PKCE code verifier (RFC 7636)
	// Binding is the hash of the key the front end that started the login keeps: only it can
	// exchange the login's code (no login CSRF).
	Binding          string `dynamodbav:"binding" json:"b"`
	AgreementVersion string `dynamodbav:"agreementVersion" json:"a"`
	AcceptedAt       string `dynamodbav:"acceptedAt" json:"t"`
	ExpiresAt        int64  `dynamodbav:"expiresAt" json:"e"`
}

// NewFederatedState is a login's state: f sealed under the flow key (AES-256-GCM, a random
// nonce), so the callback has the verifier and the nonce before any read, and only this
// deployment can have made it. The verifier stays secret in the browser's address bar and
// at the provider. No I/O: the state is spent by its callback (SpendFederatedState).
func (st *Store) NewFederatedState(f FederatedFlow) string {
	return FlowSeal{st.flowSeal}.NewFederatedState(f)
}

// FlowSeal makes 教育部 login states as the store does, for the login's start, which makes
// no request: its function builds no DynamoDB client.
type FlowSeal struct{ aead cipher.AEAD }

// FlowSealFromEnv is the flow seal under the deployment's SEAL_KEY, as FromEnv's.
func FlowSealFromEnv() FlowSeal {
	return FlowSeal{sealer([]byte(awsenv.MustEnv("SEAL_KEY")), flowSealLabel)}
}

// NewFederatedState is Store.NewFederatedState.
func (s FlowSeal) NewFederatedState(f FederatedFlow) string {
	plain, err := json.Marshal(f)
	if err != nil {
		panic("store: a federated flow does not marshal: " + err.Error())
	}
	return sealID(s.aead, plain)
}

// OpenFederatedState is the flow a state of NewFederatedState carries; false for a state
// that is not one: issued before the seal, forged or damaged. It says nothing of whether
// the flow has expired or been spent. No I/O.
func (st *Store) OpenFederatedState(state string) (FederatedFlow, bool) {
	plain, ok := openID(st.flowSeal, state)
	if !ok {
		return FederatedFlow{}, false
	}
	var f FederatedFlow
	if err := json.Unmarshal(plain, &f); err != nil {
		return FederatedFlow{}, false
	}
	return f, true
}

// FederatedStateSpent says whether a callback spent the sealed state already. One GetItem
// (consistent).
func (st *Store) FederatedStateSpent(ctx context.Context, stateHash string) (bool, error) {
	_, err := st.get(ctx, fedStateKey(stateHash))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// SpendFederatedState marks a sealed state used, until expiresAt: ErrExists when a callback
// spent it already. Of any number of callbacks naming one state, exactly one spends it; the
// SDK's retry of a put whose reply was lost meets its own mark (put) and is the spend it
// made. One PutItem; the mark holds nothing but its expiry and the put's mark.
func (st *Store) SpendFederatedState(ctx context.Context, stateHash string, expiresAt int64) error {
	item := fedStateKey(stateHash)
	item[attrExpires] = n(expiresAt)
	return st.put(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")},
		refusedWith(ErrExists))
}

// FederatedLink ties one provider identity, known only by a hash of issuer and subject, to
// the account it logs in to.
type FederatedLink struct {
	Login     string `dynamodbav:"login"`
	AccountID string `dynamodbav:"accountId"`
	CreatedAt string `dynamodbav:"createdAt"`
}

// LoginCode is a verified federated login waiting for its front end: the account as the
// callback found it, and the binding of the login's flow.
type LoginCode struct {
	Login     string `dynamodbav:"login"`
	AccountID string `dynamodbav:"accountId"`
	Role      string `dynamodbav:"role"`
	Epoch     int64  `dynamodbav:"epoch"`
	NextStep  string `dynamodbav:"nextStep"`
	Binding   string `dynamodbav:"binding"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// StartFederatedFlow keeps a login in progress under its state's hash, as starts did before
// the flow was sealed into the state; the callback finishes such flows (TakeFederatedFlow)
// until the last has expired, ten minutes after the deploy, and the tests make them so.
// One PutItem.
func (st *Store) StartFederatedFlow(ctx context.Context, stateHash string, f FederatedFlow) error {
	item, err := itemOf(f, fedStateKey(stateHash))
	if err != nil {
		return err
	}
	return st.create(ctx, item)
}

// TakeFederatedFlow takes a login in progress and returns it, so that of any number of
// callbacks with one state exactly one finishes it; ErrNotFound for none, or one expired.
// One UpdateItem (take).
func (st *Store) TakeFederatedFlow(ctx context.Context, stateHash string, now time.Time) (FederatedFlow, error) {
	return takeOnce[FederatedFlow](ctx, st, fedStateKey(stateHash), now)
}

// takeOnce takes the item at k (take) and returns it: of any number of concurrent takers,
// one gets it; ErrNotFound for none, or one expired (which is taken all the same). One
// UpdateItem.
func takeOnce[T any](ctx context.Context, st *Store, k map[string]types.AttributeValue, now time.Time) (T, error) {
	var zero T
	old, err := st.take(ctx, k, "", nil)
	if err != nil {
		return zero, err
	}
	if !live(old, now) {
		return zero, ErrNotFound
	}
	return decode[T](old)
}

// FindFederated reads a provider identity's link and the account of a document number
// together, in one consistent BatchGetItem; either may be nil.
func (st *Store) FindFederated(ctx context.Context, linkHash, login string) (*FederatedLink, *account.Account, error) {
	items, err := st.getMany(ctx, fedLinkKey(linkHash), accountKey(login))
	if err != nil {
		return nil, nil, err
	}
	var link *FederatedLink
	var acct *account.Account
	for _, item := range items {
		switch getS(item, attrPK) {
		case prefixFedLink + linkHash:
			l, err := decode[FederatedLink](item)
			if err != nil {
				return nil, nil, err
			}
			link = &l
		case prefixAccount + login:
			a, err := decodeAccount(item)
			if err != nil {
				return nil, nil, err
			}
			acct = &a
		}
	}
	return link, acct, nil
}

// IssueLoginCode keeps a one-time login code for an identity already linked. One PutItem.
func (st *Store) IssueLoginCode(ctx context.Context, codeHash string, c LoginCode) error {
	item, err := itemOf(c, fedCodeKey(codeHash))
	if err != nil {
		return err
	}
	return st.create(ctx, item)
}

// ReturnLoginCode gives back a login code that TakeLoginCode took, for an exchange that
// found the table busy: the code as it was, untaken. Nobody else can have taken it meanwhile.
// One PutItem.
func (st *Store) ReturnLoginCode(ctx context.Context, codeHash string, c LoginCode) error {
	item, err := itemOf(c, fedCodeKey(codeHash))
	if err != nil {
		return err
	}
	return st.put(ctx, &dynamodb.PutItemInput{Item: item}, nil)
}

// LinkAndIssue links a provider identity to an existing applicant's account and keeps the
// login's code, in one transaction that holds only while no link exists for the identity
// (ErrExists: a concurrent first login linked it) and the account is still the one whose
// name and document type were compared (ErrAccountMoved). One TransactWriteItems.
func (st *Store) LinkAndIssue(ctx context.Context, linkHash string, l FederatedLink, a account.Account, codeHash string, c LoginCode) error {
	link, err := st.newLink(linkHash, l)
	if err != nil {
		return err
	}
	code, err := st.newLoginCode(codeHash, c)
	if err != nil {
		return err
	}
	return st.transact(ctx, "link federated identity", link, step{
		write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                aws.String(st.table),
			Key:                      accountKey(a.Login),
			ConditionExpression:      aws.String("accountId = :id AND #role = :applicant AND #name = :name AND idType = :type"),
			ExpressionAttributeNames: map[string]string{"#role": "role", "#name": "name"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":id": s(a.AccountID), ":applicant": s(account.RoleApplicant), ":name": s(a.Name), ":type": s(a.IDType),
			},
		}},
		refusal: refusedWith(ErrAccountMoved),
	}, code)
}

// CreateFederatedAccount creates an applicant's account from a provider identity, its link
// and the login's code, in one transaction: account.ErrExists when the document number was
// registered meanwhile, ErrExists when a concurrent first login linked the identity. One
// TransactWriteItems.
func (st *Store) CreateFederatedAccount(ctx context.Context, a account.Account, linkHash string, l FederatedLink, codeHash string, c LoginCode) error {
	item, err := accountItemFor(a)
	if err != nil {
		return err
	}
	link, err := st.newLink(linkHash, l)
	if err != nil {
		return err
	}
	code, err := st.newLoginCode(codeHash, c)
	if err != nil {
		return err
	}
	return st.transact(ctx, "create federated account", step{
		write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		refusal: refusedWith(account.ErrExists),
	}, link, code)
}

func (st *Store) newLink(linkHash string, l FederatedLink) (step, error) {
	item, err := itemOf(l, fedLinkKey(linkHash))
	if err != nil {
		return step{}, err
	}
	return step{
		write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		refusal: refusedWith(ErrExists),
	}, nil
}

// newLoginCode puts a code of 256 random bits: its condition fails only if one came twice.
func (st *Store) newLoginCode(codeHash string, c LoginCode) (step, error) {
	item, err := itemOf(c, fedCodeKey(codeHash))
	if err != nil {
		return step{}, err
	}
	return step{write: types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}}, nil
}

// TakeLoginCode takes a one-time login code and returns it, so that of any number of
// exchanges of one code exactly one gets it; ErrNotFound for none, or one expired. One
// UpdateItem (take).
func (st *Store) TakeLoginCode(ctx context.Context, codeHash string, now time.Time) (LoginCode, error) {
	return takeOnce[LoginCode](ctx, st, fedCodeKey(codeHash), now)
}

// StartFederatedSession stores the session of a federated login, in one transaction that
// holds only while the account is still the one the login found, in the same password epoch
// (ErrAccountMoved: a reset or a change of credentials came between the callback and the
// exchange). One TransactWriteItems.
func (st *Store) StartFederatedSession(ctx context.Context, tokenHash string, sess account.Session) error {
	item, err := itemOf(sessionItem(sess), sessionKey(tokenHash))
	if err != nil {
		return err
	}
	return st.transact(ctx, "start federated session", step{
		write: types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(st.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		refusal: refusedWith(ErrExists),
	}, step{
		write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                aws.String(st.table),
			Key:                      accountKey(sess.Login),
			ConditionExpression:      aws.String("accountId = :id AND epoch = :epoch AND #role = :role"),
			ExpressionAttributeNames: map[string]string{"#role": "role"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":id": s(sess.AccountID), ":epoch": n(sess.Epoch), ":role": s(sess.Role),
			},
		}},
		refusal: refusedWith(ErrAccountMoved),
	})
}
