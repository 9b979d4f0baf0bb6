//! Paths into values (`.a.b[0]`) and the edits `annotate` makes through them. Reading a missing
//! path gives `None`; writing creates what is missing, as jq does: objects for names, arrays
//! (padded with null) for indices.

use std::borrow::Cow;

use super::Value;

/// One step of a path: an object member or an array element (negative counts from the end).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(i64),
}

/// Text of a path as a user writes it: `.a."b c"[0]`; the empty path is `.`.
pub fn path_text(path: &[Seg]) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if is_plain_name(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Key(k) => {
                let mut quoted = Vec::new();
                super::write_str(k, &mut quoted);
                s.push('.');
                s.push_str(&String::from_utf8_lossy(&quoted));
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn is_plain_name(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn index_of(len: usize, i: i64) -> Option<usize> {
    let idx = if i < 0 { len as i64 + i } else { i };
    usize::try_from(idx).ok().filter(|&idx| idx < len)
}

impl<'a> Value<'a> {
    /// The value at `path`.
    pub fn get_path(&self, path: &[Seg]) -> Option<&Value<'a>> {
        let mut v = self;
        for seg in path {
            v = match seg {
                Seg::Key(k) => v.member(k)?,
                Seg::Index(i) => v.element(*i)?,
            };
        }
        Some(v)
    }

    /// Writes `new` at `path`, creating missing objects and arrays on the way. Fails, saying
    /// why, when a step goes through a value of the wrong type or before the start of an array.
    pub fn set_path(&mut self, path: &[Seg], new: Value<'a>) -> Result<(), String> {
        let Some((last, parents)) = path.split_last() else {
            *self = new;
            return Ok(());
        };
        let mut v = self;
        for (depth, seg) in parents.iter().enumerate() {
            let next_is_index = matches!(path[depth + 1], Seg::Index(_));
            v = v.step_mut(seg, next_is_index, &path[..depth])?;
        }
        match (last, v) {
            (Seg::Key(k), Value::Object(members)) => {
                match members.iter().rposition(|(name, _)| name == k) {
                    Some(i) => members[i].1 = new,
                    None => members.push((Cow::Owned(k.clone()), new)),
                }
                Ok(())
            }
            (Seg::Index(i), Value::Array(items)) => {
                let slot = array_slot(items, *i, parents)?;
                *slot = new;
                Ok(())
            }
            (_, other) => Err(wrong_type(parents, other, last)),
        }
    }

    /// One step down for writing, creating the member or element when missing.
    fn step_mut(
        &mut self,
        seg: &Seg,
        next_is_index: bool,
        before: &[Seg],
    ) -> Result<&mut Value<'a>, String> {
        let fresh = || {
            if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Vec::new())
            }
        };
        match (seg, self) {
            (Seg::Key(k), Value::Object(members)) => {
                let i = match members.iter().rposition(|(name, _)| name == k) {
                    Some(i) => {
                        if matches!(members[i].1, Value::Null) {
                            members[i].1 = fresh();
                        }
                        i
                    }
                    None => {
                        members.push((Cow::Owned(k.clone()), fresh()));
                        members.len() - 1
                    }
                };
                Ok(&mut members[i].1)
            }
            (Seg::Index(i), Value::Array(items)) => {
                let slot = array_slot(items, *i, before)?;
                if matches!(slot, Value::Null) {
                    *slot = fresh();
                }
                Ok(slot)
            }
            (seg, other) => Err(wrong_type(before, other, seg)),
        }
    }

    /// Removes the value at `path` and returns it (all members of that name, the last one's
    /// value returned).
    pub fn remove_path(&mut self, path: &[Seg]) -> Option<Value<'a>> {
        let (last, parents) = path.split_last()?;
        let parent = self.get_path_mut(parents)?;
        match (last, parent) {
            (Seg::Key(k), Value::Object(members)) => {
                let mut taken = None;
                members.retain_mut(|(name, v)| {
                    if name == k {
                        taken = Some(std::mem::replace(v, Value::Null));
                        false
                    } else {
                        true
                    }
                });
                taken
            }
            (Seg::Index(i), Value::Array(items)) => {
                let idx = index_of(items.len(), *i)?;
                Some(items.remove(idx))
            }
            _ => None,
        }
    }

    pub fn get_path_mut(&mut self, path: &[Seg]) -> Option<&mut Value<'a>> {
        let mut v = self;
        for seg in path {
            v = match (seg, v) {
                (Seg::Key(k), Value::Object(members)) => {
                    let i = members.iter().rposition(|(name, _)| name == k)?;
                    &mut members[i].1
                }
                (Seg::Index(i), Value::Array(items)) => {
                    let idx = index_of(items.len(), *i)?;
                    &mut items[idx]
                }
                _ => return None,
            };
        }
        Some(v)
    }

    /// A copy holding only the given paths, in the order the event had them. A path that
    /// does not exist contributes nothing.
    pub fn project(&self, paths: &[Vec<Seg>]) -> Value<'a> {
        if paths.iter().any(|p| p.is_empty()) {
            return self.clone();
        }
        match self {
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .filter_map(|(k, v)| {
                        let rests: Vec<Vec<Seg>> = paths
                            .iter()
                            .filter(|p| matches!(&p[0], Seg::Key(name) if name == k.as_ref()))
                            .map(|p| p[1..].to_vec())
                            .collect();
                        (!rests.is_empty()).then(|| (k.clone(), v.project(&rests)))
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(idx, v)| {
                        let rests: Vec<Vec<Seg>> = paths
                            .iter()
                            .filter(|p| {
                                matches!(&p[0], Seg::Index(i) if index_of(items.len(), *i) == Some(idx))
                            })
                            .map(|p| p[1..].to_vec())
                            .collect();
                        (!rests.is_empty()).then(|| v.project(&rests))
                    })
                    .collect(),
            ),
            _ => Value::Null,
        }
    }
}

/// The element for index `i`, padding the array with nulls up to a positive index.
fn array_slot<'v, 'a>(
    items: &'v mut Vec<Value<'a>>,
    i: i64,
    before: &[Seg],
) -> Result<&'v mut Value<'a>, String> {
    let idx = if i < 0 {
        index_of(items.len(), i).ok_or_else(|| {
            format!(
                "{} has {} elements, so [{i}] is before its start",
                path_text(before),
                items.len()
            )
        })?
    } else {
        usize::try_from(i).map_err(|_| format!("index [{i}] is too large"))?
    };
    if idx >= items.len() {
        if idx > 1 << 20 {
            return Err(format!("index [{i}] is too large"));
        }
        items.resize(idx + 1, Value::Null);
    }
    Ok(&mut items[idx])
}

fn wrong_type(before: &[Seg], found: &Value<'_>, seg: &Seg) -> String {
    let want = match seg {
        Seg::Key(_) => "an object",
        Seg::Index(_) => "an array",
    };
    format!(
        "{} is {} {}, not {want}",
        path_text(before),
        if matches!(found, Value::Array(_) | Value::Object(_)) {
            "an"
        } else {
            "a"
        },
        found.type_name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_value;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    fn v(s: &str) -> Value<'_> {
        parse_value(s.as_bytes()).unwrap()
    }

    #[test]
    fn set_creates_what_is_missing_and_keeps_order() {
        let mut e = v(r#"{"z":1,"a":{"x":1}}"#);
        e.set_path(&[key("a"), key("y")], v("2")).unwrap();
        e.set_path(&[key("b"), key("c")], v("3")).unwrap();
        e.set_path(&[key("z")], v("0")).unwrap();
        e.set_path(&[key("l"), Seg::Index(2)], v("true")).unwrap();
        e.set_path(&[key("m"), Seg::Index(0), key("k")], v("1"))
            .unwrap();
        assert_eq!(
            e.to_json(),
            r#"{"z":0,"a":{"x":1,"y":2},"b":{"c":3},"l":[null,null,true],"m":[{"k":1}]}"#
        );
    }

    #[test]
    fn set_through_the_wrong_type_says_why() {
        let mut e = v(r#"{"a":"text","arr":[1]}"#);
        assert_eq!(
            e.set_path(&[key("a"), key("b")], v("1")),
            Err(".a is a string, not an object".into())
        );
        assert_eq!(
            e.set_path(&[key("arr"), key("b")], v("1")),
            Err(".arr is an array, not an object".into())
        );
        assert_eq!(
            e.set_path(&[key("arr"), Seg::Index(-3)], v("1")),
            Err(".arr has 1 elements, so [-3] is before its start".into())
        );
        e.set_path(&[key("arr"), Seg::Index(-1)], v("9")).unwrap();
        assert_eq!(e.to_json(), r#"{"a":"text","arr":[9]}"#);
    }

    #[test]
    fn remove_takes_members_and_elements() {
        let mut e = v(r#"{"a":{"b":1,"c":2},"arr":[1,2,3],"d":1,"d":2}"#);
        assert_eq!(e.remove_path(&[key("a"), key("b")]), Some(v("1")));
        assert_eq!(e.remove_path(&[key("arr"), Seg::Index(-1)]), Some(v("3")));
        assert_eq!(e.remove_path(&[key("d")]), Some(v("2")));
        assert_eq!(e.remove_path(&[key("nope"), key("x")]), None);
        assert_eq!(e.to_json(), r#"{"a":{"c":2},"arr":[1,2]}"#);
    }

    #[test]
    fn project_keeps_only_the_paths_in_event_order() {
        let e = v(r#"{"a":{"b":1,"c":2},"arr":[1,{"x":1,"y":2},3],"d":4}"#);
        let paths = vec![
            vec![key("d")],
            vec![key("a"), key("c")],
            vec![key("arr"), Seg::Index(1), key("y")],
            vec![key("nope")],
        ];
        assert_eq!(
            e.project(&paths).to_json(),
            r#"{"a":{"c":2},"arr":[{"y":2}],"d":4}"#
        );
    }

    #[test]
    fn path_text_quotes_what_needs_it() {
        assert_eq!(path_text(&[]), ".");
        assert_eq!(
            path_text(&[key("a"), key("b c"), Seg::Index(-1)]),
            r#".a."b c"[-1]"#
        );
    }
}
