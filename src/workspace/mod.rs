//! The team's coaching workspace (`swimlane serve`) as data: who may sign in and what each may
//! see. The server itself, with its store, queue and HTTP routes, is in the binary.

pub mod users;
