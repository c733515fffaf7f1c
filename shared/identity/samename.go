package identity

import "strings"

// SameName compares a name typed now with one stored, both in the form NormalizeName gives
// (an account stored before a normalisation rule existed still matches what its holder
// types), and Latin letters without regard to case: a Hong Kong card prints CHAN TAI MAN,
// its holder may type Chan Tai Man. typed must already be normalised.
func SameName(stored, typed string) bool {
	if s, err := NormalizeName(stored); err == nil {
		stored = s
	}
	return strings.EqualFold(stored, typed)
}
