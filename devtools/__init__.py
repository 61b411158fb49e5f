"""Developer tooling, never in the image: the local try-out (`make run`: launcher, fake
Telegram Bot API with the try-out page, terminal chat), throw-away test databases, the NLU
report, the benchmarks and the load generator, and the dependency audit."""
