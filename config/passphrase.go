package config

// MinPassphraseLen is the shortest passphrase (in characters) a passphrase-protected store is
// created with, by `gitopscfg init`, the first-run wizard and the plain prompts alike.
const MinPassphraseLen = 10
