package localserver

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jszg/applicant-accounts/shared/clock"
)

// A client that trickles its headers or its body (slowloris) is cut off: the server has a
// bound for both, and neither is longer than a minute.
func TestTheServerBoundsSlowClients(t *testing.T) {
	s, err := Start(context.Background(), Config{
		Template: filepath.Join("..", "..", "template.yaml"), Addr: "127.0.0.1:0", Table: "t",
		ResetLinkBase: "http://127.0.0.1/r", CursorSecret: "c", CodePepper: "local-test-pepper-0123",
		AWS: aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}}, Clock: clock.System{},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h, r := s.http.ReadHeaderTimeout, s.http.ReadTimeout; h <= 0 || r <= 0 || h > r || r > 60e9 {
		t.Fatalf("read-header timeout %s, read timeout %s", h, r)
	}
}
