package captcha

import "sync/atomic"

// CountDraws makes every puzzle drawn by the handler count in n, until the test ends.
func CountDraws(cleanup func(func()), n *atomic.Int64) {
	was := drawPuzzle
	drawPuzzle = func() (Puzzle, error) { n.Add(1); return was() }
	cleanup(func() { drawPuzzle = was })
}
