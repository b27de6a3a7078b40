//! Monte-Carlo reserve engine (see docs/reserves-model.md).
