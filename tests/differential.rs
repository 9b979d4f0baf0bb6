//! Old against new: what binge wrote for each benchmarked workload before the speed work
//! (commit 91de027), kept as SHA-256 digests in `tests/data/differential/before.txt`, must
//! be what it writes now, byte for byte. The excerpt (every 50th Loghub event) is in every
//! clone; the whole Loghub corpus is checked when `../shared` is beside the repository.

use agglo::chain::note::hex;
use sha2::{Digest, Sha256};

use crate::util::*;

/// The workloads, one per line: a name, then binge's arguments, tab-separated.
fn workloads() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(data("differential/workloads.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.split('\t').map(String::from);
            let name = f.next().unwrap();
            (name, f.collect())
        })
        .collect()
}

/// For an input file's name: each workload's name with the digest and size of its output then.
fn before(input: &str) -> Vec<(String, String, usize)> {
    let text = std::fs::read_to_string(data("differential/before.txt")).unwrap();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0] == input).then(|| (f[1].to_string(), f[2].to_string(), f[3].parse().unwrap()))
        })
        .collect()
}

/// Runs every workload on `input`, read from standard input through a pipe (as the benchmark
/// and a shell pipeline feed it) and as a named file, and compares with what binge wrote before.
fn compare(input: &std::path::Path) {
    let name = input.file_name().unwrap().to_str().unwrap();
    let expected = before(name);
    let loads = workloads();
    assert_eq!(expected.len(), loads.len(), "a digest for every workload");
    let bytes = std::fs::read(input).unwrap();
    let mut differ = Vec::new();
    for ((load, args), (was, digest, size)) in loads.iter().zip(&expected) {
        assert_eq!(load, was);
        let piped = binge()
            .args(args)
            .write_stdin(bytes.clone())
            .output()
            .unwrap();
        let named = binge_std().args(args).arg(input).output().unwrap();
        for (how, out) in [("stdin", &piped), ("file", &named)] {
            assert!(out.status.success(), "{load} ({how}): {}", stderr_of(out));
            let now = hex(&Sha256::digest(&out.stdout));
            if &now != digest {
                differ.push(format!(
                    "{load} ({how}): {} bytes, was {size}; sha256 {now}, was {digest}",
                    out.stdout.len()
                ));
            }
        }
    }
    assert!(differ.is_empty(), "outputs changed:\n{}", differ.join("\n"));
}

#[test]
fn every_workload_writes_what_it_wrote_before_on_the_excerpt() {
    compare(&data("differential/loghub-every-50th.ndjson"));
}

#[test]
fn every_workload_writes_what_it_wrote_before_on_the_loghub_corpus() {
    let Some(corpus) = shared("json/loghub-events.ndjson") else {
        eprintln!("skipped: ../shared/data/json/loghub-events.ndjson is not beside this clone");
        return;
    };
    compare(&corpus);
}
