//! A direct-mapped cache of a function of one integer key: the per-row evaluator's scores
//! and coverages by point sum (`Memo` in lib.rs) and the block evaluator's scores and
//! tiers (`block::Memo`). Most rows repeat a few dozen sums, so the division behind a score
//! runs once per distinct sum; a cached value is the function's own result, so it is
//! exactly the value computed afresh.

/// A key of [`DirectMemo`]: an integer with a value no key takes (an empty slot).
pub(crate) trait MemoKey: Copy + Eq {
    /// No key reaches it (the users say why for theirs).
    const EMPTY: Self;
    /// The low 64 bits, which pick the slot.
    fn low64(self) -> u64;
}

impl MemoKey for i64 {
    const EMPTY: i64 = i64::MIN;
    fn low64(self) -> u64 {
        self as u64
    }
}

impl MemoKey for i128 {
    const EMPTY: i128 = i128::MIN;
    fn low64(self) -> u64 {
        self as u64
    }
}

/// `SIZE` slots (a power of two), each a key and its value; the key's Fibonacci hash
/// picks its slot, and a new key replaces what was there.
#[derive(Debug, Clone)]
pub(crate) struct DirectMemo<K, V, const SIZE: usize> {
    keys: Vec<K>,
    values: Vec<V>,
}

impl<K: MemoKey, V: Copy + Default, const SIZE: usize> Default for DirectMemo<K, V, SIZE> {
    fn default() -> Self {
        DirectMemo {
            keys: vec![K::EMPTY; SIZE],
            values: vec![V::default(); SIZE],
        }
    }
}

impl<K: MemoKey, V: Copy + Default, const SIZE: usize> DirectMemo<K, V, SIZE> {
    /// Forgets every value (the function changed).
    pub(crate) fn clear(&mut self) {
        self.keys.iter_mut().for_each(|k| *k = K::EMPTY);
    }

    /// `f()`'s value for `key`: cached, or computed and cached.
    #[inline]
    pub(crate) fn get(&mut self, key: K, f: impl FnOnce() -> V) -> V {
        // Fibonacci hashing: the top log2(SIZE) bits of the product index the slots.
        let shift = 64 - SIZE.trailing_zeros();
        let slot = (key.low64().wrapping_mul(0x9e37_79b9_7f4a_7c15) >> shift) as usize;
        if let (Some(k), Some(v)) = (self.keys.get(slot), self.values.get(slot))
            && *k == key
        {
            return *v;
        }
        let v = f();
        if let (Some(k), Some(slot)) = (self.keys.get_mut(slot), self.values.get_mut(slot)) {
            *k = key;
            *slot = v;
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::DirectMemo;

    /// Whatever keys come, in whatever order (colliding ones included), a look-up gives
    /// the function's value; and after `clear`, nothing cached is given for a new function.
    #[test]
    fn a_lookup_is_the_function() {
        let mut m: DirectMemo<i64, i64, 8> = DirectMemo::default();
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = (x % 40) as i64 - 20;
            assert_eq!(m.get(key, || key * 3), key * 3);
        }
        m.clear();
        for key in -20..20 {
            assert_eq!(m.get(key, || key * 5), key * 5);
        }
    }
}
