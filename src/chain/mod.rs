//! Entwined history (DESIGN.md §6): records and their hashes, RFC 6962 Merkle trees, C2SP
//! signed notes and checkpoints. What the stream stores lives in `store::entwine`.

pub mod merkle;
pub mod note;
pub mod record;
pub mod tick;
pub mod verify;
pub mod witness;
