// Package quota names the limits of SPEC §1 in one place, with the periods they count in.
package quota

import "time"

const (
	// SMSPerDay is the number of SMS codes one mobile gets per CST day, across purposes.
	SMSPerDay = 3
	// VerificationsPerDay is the number of online real-name verifications an account gets
	// per CST day.
	VerificationsPerDay = 3
	// ReviewsPerCycle is the number of manual-review submissions an applicant gets per
	// half-year cycle (1 Jan–31 Aug, 1 Sep–31 Dec, CST).
	ReviewsPerCycle = 3
	// SlidersPerAddressMinute is how many sliders one source address gets per minute. A
	// person solves one in five seconds at best; a school's or a carrier's NAT puts many
	// people behind one address, who share this, and a refusal says to wait under a minute.
	SlidersPerAddressMinute = 60
	// SMSPerAddressHour is how many SMS codes one source address gets per hour, across
	// mobiles: a person needs one or two, a NAT's many people share it, and an SMS pump
	// cycling through numbers from one address stops here.
	SMSPerAddressHour = 30
	// SMSHourlyBudget is the deployment's default budget of SMS an hour (SmsHourlyBudget):
	// a wave's peak (ten times the average of 500,000 applicants in two weeks, each with a
	// code or two: about 30,000 an hour) needs it raised, which operators do for the season;
	// past it, SMS pumping costs nothing more.
	SMSHourlyBudget = 20000
)

// Limit is a quota in one period: at most Max uses in Period (a CST date or a cycle), whose
// counter may go once Expires has passed.
type Limit struct {
	Period  string
	Max     int
	Expires time.Time
	// Seen is the period's count as the caller read it alongside other reads, which saves
	// the store reading it again; nil: the store reads it. A count that moved since is
	// caught by the write's condition and read again.
	Seen *int
}

// Usage is how much of an applicant's verification quotas is used in the current periods.
type Usage struct {
	VerificationsToday int
	ReviewsThisCycle   int
}
