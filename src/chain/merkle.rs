//! RFC 6962 (and RFC 9162 §2.1) Merkle trees over leaf hashes: tree heads, inclusion and
//! consistency proofs and their verification, and a frontier that keeps the head of a growing
//! log in O(log n) space.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`: the hash of a leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = leaf_hasher();
    h.update(data);
    h.finalize().into()
}

/// A hasher that gives [`leaf_hash`] of what is fed to it, for data that comes in pieces.
pub fn leaf_hasher() -> Sha256 {
    let mut h = Sha256::new();
    h.update([0u8]);
    h
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The hash of the empty tree.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (n >= 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH over leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]): the audit path of leaf `m`.
pub fn inclusion_proof(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 || m >= n {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut p = inclusion_proof(m, &leaves[..k]);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = inclusion_proof(m - k, &leaves[k..]);
        p.push(root(&leaves[..k]));
        p
    }
}

/// PROOF(m, D[n]): that the tree of the first `m` leaves is a prefix of the whole.
pub fn consistency_proof(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    fn sub(m: usize, d: &[Hash], whole: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if whole { Vec::new() } else { vec![root(d)] };
        }
        let k = split(n);
        if m <= k {
            let mut p = sub(m, &d[..k], whole);
            p.push(root(&d[k..]));
            p
        } else {
            let mut p = sub(m - k, &d[k..], false);
            p.push(root(&d[..k]));
            p
        }
    }
    if m == 0 || m > leaves.len() {
        return Vec::new();
    }
    sub(m, leaves, true)
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Checks a consistency proof between two tree heads (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> bool {
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 || first > second || proof.is_empty() {
        return false;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && fr == *first_root && sr == *second_root
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first, so that
/// appending and taking the head cost O(log n).
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    size: u64,
    /// (height, root) of each perfect subtree, left to right.
    stack: Vec<(u32, Hash)>,
}

impl Frontier {
    pub fn new() -> Frontier {
        Frontier::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(h, left)) = self.stack.last() {
            if h != node.0 {
                break;
            }
            self.stack.pop();
            node = (h + 1, node_hash(&left, &node.1));
        }
        self.stack.push(node);
        self.size += 1;
    }

    /// The roots of the perfect subtrees, left to right: with the size, all a later writer or
    /// verifier needs to go on appending.
    pub fn hashes(&self) -> Vec<Hash> {
        self.stack.iter().map(|(_, h)| *h).collect()
    }

    /// The frontier of a tree of `size` leaves from its subtree roots, left to right; `None`
    /// when their number does not fit the size (one per set bit).
    pub fn from_hashes(size: u64, hashes: &[Hash]) -> Option<Frontier> {
        let heights: Vec<u32> = (0..64).rev().filter(|b| size >> b & 1 == 1).collect();
        (heights.len() == hashes.len()).then(|| Frontier {
            size,
            stack: heights.into_iter().zip(hashes.iter().copied()).collect(),
        })
    }

    /// The tree head of everything pushed so far.
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return empty_root();
        };
        for (_, left) in it {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn frontier_matches_the_recursive_root() {
        let all = leaves(300);
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for (i, l) in all.iter().enumerate() {
            f.push(*l);
            assert_eq!(f.root(), root(&all[..=i]), "size {}", i + 1);
        }
    }

    #[test]
    fn a_frontier_is_rebuilt_from_its_hashes() {
        let all = leaves(77);
        let mut f = Frontier::new();
        for (i, l) in all.iter().enumerate() {
            f.push(*l);
            let again = Frontier::from_hashes(f.size(), &f.hashes()).unwrap();
            assert_eq!(again.root(), root(&all[..=i]));
            let mut grown = again.clone();
            grown.push([1; 32]);
            let mut want = all[..=i].to_vec();
            want.push([1; 32]);
            assert_eq!(grown.root(), root(&want));
        }
        assert!(Frontier::from_hashes(3, &[[0; 32]]).is_none());
    }

    #[test]
    fn proofs_verify_and_tampering_fails() {
        let all = leaves(40);
        for n in 1..=all.len() {
            let r = root(&all[..n]);
            for m in 0..n {
                let p = inclusion_proof(m, &all[..n]);
                assert!(verify_inclusion(m as u64, n as u64, &all[m], &p, &r));
                assert!(
                    !verify_inclusion(m as u64, n as u64, &all[(m + 1) % all.len()], &p, &r)
                        || n == 1 && all.len() == 1
                );
            }
            for m in 1..=n {
                let p = consistency_proof(m, &all[..n]);
                let first = root(&all[..m]);
                assert!(
                    verify_consistency(m as u64, n as u64, &first, &r, &p),
                    "{m} {n}"
                );
                if m < n {
                    let wrong = root(&all[1..=m]);
                    assert!(!verify_consistency(m as u64, n as u64, &wrong, &r, &p));
                }
            }
        }
    }
}
