// Command create-reviewer is how an operator makes a reviewer account, with its second factor:
//
//	TABLE_NAME=applicant-accounts go run ./infra/create-reviewer -login li.reviewer -name 李审核
//
// It prints the second factor's otpauth:// address once, for the reviewer's authenticator
// app (as text, or made a QR code); it is not shown again. -enroll gives an existing
// reviewer a new second factor instead (a lost phone), and the old one stops working.
//
// The password is read from the terminal without echo, or from standard input when that is not
// a terminal (printf '%s\n' "$PW" | …), never from the command line, where it would sit in the
// shell history and the process list. AWS credentials come from the usual chain (profile, SSO,
// environment); DYNAMODB_ENDPOINT points it at a local DynamoDB-compatible server instead.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/jszg/applicant-accounts/infra/opsenv"
	"github.com/jszg/applicant-accounts/shared/reviewer"
)

func main() {
	login := flag.String("login", "", "reviewer login name (3–32 of a-z 0-9 . _ -, starting with a letter)")
	name := flag.String("name", "", "the reviewer's name")
	enroll := flag.Bool("enroll", false, "give the existing reviewer -login a new password and second factor, ending their sessions")
	flag.Parse()
	if err := run(*login, *name, *enroll); err != nil {
		fmt.Fprintln(os.Stderr, "create-reviewer:", err)
		os.Exit(1)
	}
}

func run(login, name string, enroll bool) error {
	if login == "" || name == "" && !enroll {
		return errors.New("-login and -name are required (-login alone with -enroll)")
	}
	pw, err := readPassword()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := opsenv.Store(ctx)
	if err != nil {
		return err
	}
	secret := reviewer.NewOTPSecret()
	if enroll {
		err = reviewer.Enroll(ctx, db, login, pw, secret, time.Now())
	} else {
		err = reviewer.Create(ctx, db, login, name, pw, secret, time.Now())
	}
	if err != nil {
		return err
	}
	fmt.Printf("reviewer %s: second factor (add it to the reviewer's authenticator app; it is not shown again):\n%s\n",
		strings.ToLower(login), reviewer.OTPURI(login, secret))
	return nil
}

func readPassword() (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(os.Stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(os.Stderr, "Password again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords differ")
	}
	return string(first), nil
}
