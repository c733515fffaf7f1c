package federation

// StateHash names a state's item in the table, for tests that make a flow as starts did
// before the seal.
var StateHash = stateHash
