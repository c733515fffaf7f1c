package photo

// HoldDecoder takes the decoder's turn, says so on started, and gives it back once release
// is closed: a decode that lasts, as seen by the requests waiting behind it.
func HoldDecoder(started, release chan struct{}) {
	decoding <- struct{}{}
	close(started)
	<-release
	<-decoding
}

// Qualities is qualities, for the ladder's tests.
var Qualities = qualities
