// Package quota names the limits of SPEC §1 in one place, with the periods they count in.
package quota

const (
	// SMSPerDay is the number of SMS codes one mobile gets per CST day, across purposes.
	SMSPerDay = 3
	// VerificationsPerDay is the number of online real-name verifications an account gets
	// per CST day.
	VerificationsPerDay = 3
	// ReviewsPerCycle is the number of manual-review submissions an applicant gets per
	// half-year cycle (1 Jan–31 Aug, 1 Sep–31 Dec, CST).
	ReviewsPerCycle = 3
)
