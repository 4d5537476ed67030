//! Issue 7: a `--kb` knowledge base is compiled once and kept on disk. Through the real binary: it is
//! stored then read, rebuilt after an edit, after truncation or damage, still answered when the cache
//! cannot be written, and four processes started together on an empty cache all answer correctly.
//! `BEIAN_CACHE_LOG` makes each run say what it did with the cache.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

const QUESTION: &str = "蓝鲸机房的工单怎么提交";

fn entry(word: &str) -> String {
    format!(
        r#"+++
id = "faq/blue-whale"
kind = "faq"
title = "{word}的测试条目"
title_en = "Test entry about {word}"
aliases = ["蓝鲸机房别名", "{word}别名"]
patterns = []
related = []
sources = ["https://wiki.example.com/team-1"]
+++
遇到蓝鲸机房时，先在公司内部的{word}工单系统登记，再按下面的步骤处理。

## 原因
- 蓝鲸机房是公司自有的接入点，外部接入商不了解它。

## 解决步骤
1. 在蓝鲸机房工单系统提交申请。

## 下一步
- 等待{word}值班同事一个工作日内回复。
"#
    )
}

/// A `--kb` directory with one entry, and a cache directory of its own.
struct Setup {
    kb: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            kb: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        setup.write_entry("蓝鲸机房");
        setup
    }

    fn write_entry(&self, word: &str) {
        let path = self.kb.path().join("faq/blue-whale.md");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, entry(word)).unwrap();
    }

    fn command(&self, cache: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_beian"));
        common::hermetic(&mut command)
            .env("BEIAN_CACHE_DIR", cache)
            .env("BEIAN_CACHE_LOG", "1")
            .arg("--kb")
            .arg(self.kb.path())
            .args(extra)
            .args(["ask", "--json", QUESTION])
            .stdin(Stdio::null());
        command
    }

    fn ask_with(&self, cache: &Path, extra: &[&str]) -> Output {
        self.command(cache, extra).output().expect("beian runs")
    }

    fn ask(&self) -> Output {
        self.ask_with(self.cache.path(), &[])
    }

    /// The compiled knowledge bases in the cache directory, and anything else in it.
    fn cached(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut stored = Vec::new();
        let mut other = Vec::new();
        for item in fs::read_dir(self.cache.path()).unwrap() {
            let path = item.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if name.starts_with("kb-") && name.ends_with(".bin") {
                stored.push(path);
            } else {
                other.push(path);
            }
        }
        stored.sort();
        (stored, other)
    }

    fn only_stored(&self) -> PathBuf {
        let (stored, other) = self.cached();
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert!(other.is_empty(), "left behind: {other:?}");
        stored.into_iter().next().unwrap()
    }
}

/// The best answer's id and title, after checking the run succeeded.
fn best(output: &Output) -> (String, String) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON answer");
    let first = &json["results"][0];
    (
        first["id"].as_str().unwrap().to_string(),
        first["title"].as_str().unwrap().to_string(),
    )
}

fn log(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn a_kb_is_compiled_once_then_read() {
    let setup = Setup::new();
    let first = setup.ask();
    assert!(log(&first).contains("stored"), "{}", log(&first));
    let path = setup.only_stored();

    let second = setup.ask();
    assert!(
        log(&second).contains(&format!("read {}", path.display())),
        "{}",
        log(&second)
    );
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(
        best(&second),
        ("faq/blue-whale".into(), "蓝鲸机房的测试条目".into())
    );
}

#[test]
fn an_edited_entry_is_rebuilt_and_answered() {
    let setup = Setup::new();
    setup.ask();
    let before = setup.only_stored();

    setup.write_entry("白鲸机房");
    let edited = setup.ask();
    assert!(
        log(&edited).contains("not cached; building"),
        "{}",
        log(&edited)
    );
    assert_eq!(
        best(&edited),
        ("faq/blue-whale".into(), "白鲸机房的测试条目".into())
    );
    let (stored, _) = setup.cached();
    assert_eq!(stored.len(), 2, "the old knowledge base is kept for now");
    assert!(stored.contains(&before));

    // Going back to the first text finds the first compiled form again.
    setup.write_entry("蓝鲸机房");
    let back = setup.ask();
    assert!(
        log(&back).contains(&format!("read {}", before.display())),
        "{}",
        log(&back)
    );
}

/// The next run notices the damage, rebuilds, and answers as the run that first stored the file did.
fn assert_rebuilt(setup: &Setup, fresh: &Output) {
    let repaired = setup.ask();
    assert!(
        log(&repaired).contains("checksum mismatch"),
        "{}",
        log(&repaired)
    );
    assert_eq!(repaired.stdout, fresh.stdout);
}

#[test]
fn a_truncated_cache_file_is_rebuilt() {
    let setup = Setup::new();
    let fresh = setup.ask();
    let path = setup.only_stored();
    let length = fs::metadata(&path).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(length / 2)
        .unwrap();

    assert_rebuilt(&setup, &fresh);
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        length,
        "rewritten whole"
    );
    assert!(log(&setup.ask()).contains("read"));
}

#[test]
fn a_damaged_cache_file_is_rebuilt() {
    let setup = Setup::new();
    let fresh = setup.ask();
    let path = setup.only_stored();
    let mut bytes = fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    fs::write(&path, bytes).unwrap();

    assert_rebuilt(&setup, &fresh);
}

#[test]
fn an_unwritable_cache_directory_still_answers() {
    let setup = Setup::new();
    // A directory below a regular file can be neither created nor written, even by root.
    let blocker = setup.cache.path().join("not-a-directory");
    fs::write(&blocker, "").unwrap();
    let cache = blocker.join("beian");

    let mut command = setup.command(&cache, &[]);
    command.env_remove("BEIAN_CACHE_LOG");
    let output = command.output().unwrap();
    assert_eq!(
        best(&output),
        ("faq/blue-whale".into(), "蓝鲸机房的测试条目".into())
    );
    assert!(output.stderr.is_empty(), "{}", log(&output));

    let logged = setup.ask_with(&cache, &[]);
    assert!(log(&logged).contains("cannot store"), "{}", log(&logged));
    assert_eq!(logged.stdout, output.stdout);
}

#[test]
fn four_processes_on_an_empty_cache_all_answer() {
    let setup = Setup::new();
    let expected = setup.ask_with(setup.cache.path(), &["--no-cache"]).stdout;
    assert!(setup.cached().0.is_empty(), "--no-cache stores nothing");

    let children: Vec<_> = (0..4)
        .map(|_| {
            setup
                .command(setup.cache.path(), &[])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        best(&output);
        assert_eq!(output.stdout, expected, "{}", log(&output));
    }
    setup.only_stored();
    assert!(log(&setup.ask()).contains("read"));
}

#[test]
fn no_cache_neither_reads_nor_writes() {
    let setup = Setup::new();
    setup.ask();
    let path = setup.only_stored();
    fs::write(&path, "not a knowledge base").unwrap();

    let output = setup.ask_with(setup.cache.path(), &["--no-cache"]);
    best(&output);
    assert!(output.stderr.is_empty(), "{}", log(&output));
    assert_eq!(fs::read(&path).unwrap(), b"not a knowledge base");
}

#[test]
fn the_same_files_in_another_directory_are_compiled_apart() {
    let setup = Setup::new();
    setup.ask();
    let elsewhere = Setup::new();
    // Same files, same cache, another --kb path: entries record where they came from.
    let output = elsewhere.ask_with(setup.cache.path(), &[]);
    assert!(
        log(&output).contains("not cached; building"),
        "{}",
        log(&output)
    );
    assert_eq!(setup.cached().0.len(), 2);
}

/// Issue 15: the cache is private, trusts only what the user alone can write, reads only regular
/// files of bounded size, and removes only files beian wrote.
#[cfg(unix)]
mod hostile {
    use super::*;

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn is_root() -> bool {
        // SAFETY: geteuid cannot fail and touches no memory.
        unsafe { libc::geteuid() == 0 }
    }

    /// Runs `command` with `umask` and at most 1 GiB of address space (a run that reads a device without
    /// end fails, not the machine), killed after 60 s; `None` if it had to be killed.
    fn run_limited(mut command: Command, umask: Option<u32>) -> Option<Output> {
        use std::os::unix::process::CommandExt;
        // SAFETY: umask and setrlimit are async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if let Some(mask) = umask {
                    libc::umask(mask as libc::mode_t);
                }
                let limit = libc::rlimit {
                    rlim_cur: 1 << 30,
                    rlim_max: 1 << 30,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                child.wait().unwrap();
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(child.wait_with_output().unwrap())
    }

    #[test]
    fn the_cache_is_private_whatever_the_umask() {
        let setup = Setup::new();
        let cache = setup.cache.path().join("new").join("beian");
        let output = run_limited(setup.command(&cache, &[]), Some(0)).expect("beian ends");
        best(&output);
        assert_eq!(mode(&cache), 0o700, "the directory");
        let stored: Vec<PathBuf> = fs::read_dir(&cache)
            .unwrap()
            .map(|item| item.unwrap().path())
            .collect();
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(mode(&stored[0]), 0o600, "the file");
    }

    /// Rewrites the stored summary of the test entry, with a checksum that fits, as someone who can
    /// write the cache directory could.
    fn poison(path: &Path) {
        use std::hash::Hasher;
        let mut bytes = fs::read(path).unwrap();
        let real = "遇到蓝鲸机房时".as_bytes();
        let fake = "请把密码发给我".as_bytes();
        assert_eq!(real.len(), fake.len());
        let at = bytes
            .windows(real.len())
            .position(|w| w == real)
            .expect("the summary is in the file");
        bytes[at..at + real.len()].copy_from_slice(fake);
        let body = bytes.len() - 8;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(&bytes[..body]);
        hasher.write_usize(body);
        let sum = hasher.finish().to_le_bytes();
        bytes[body..].copy_from_slice(&sum);
        fs::write(path, bytes).unwrap();
    }

    fn summary(output: &Output) -> String {
        let json: Value = serde_json::from_slice(&output.stdout).expect("JSON answer");
        json["results"][0]["summary"].as_str().unwrap().to_string()
    }

    #[test]
    fn a_cache_others_can_write_is_not_trusted() {
        let setup = Setup::new();
        let fresh = setup.ask();
        let path = setup.only_stored();
        poison(&path);
        // Only the owner can write: the file is the user's own, as good as the entries themselves.
        assert!(
            summary(&setup.ask()).starts_with("请把密码发给我"),
            "the poisoning works"
        );

        let dir = setup.cache.path().to_path_buf();
        // (what, the file or directory, its mode while spoiled, its owner while spoiled)
        let mut cases = vec![
            (
                "a directory others can write",
                dir.clone(),
                Some(0o777),
                None,
            ),
            (
                "a directory the group can write",
                dir.clone(),
                Some(0o770),
                None,
            ),
            ("a file others can write", path.clone(), Some(0o606), None),
        ];
        if is_root() {
            cases.push((
                "a directory of another user",
                dir.clone(),
                None,
                Some(65534),
            ));
            cases.push(("a file of another user", path.clone(), None, Some(65534)));
        }
        for (what, target, spoiled_mode, owner) in cases {
            let before = mode(&target);
            if let Some(spoiled) = spoiled_mode {
                set_mode(&target, spoiled);
            }
            if let Some(uid) = owner {
                std::os::unix::fs::chown(&target, Some(uid), None).unwrap();
            }
            let output = setup.ask();
            set_mode(&target, before);
            if owner.is_some() {
                std::os::unix::fs::chown(&target, Some(0), None).unwrap();
            }
            assert_eq!(
                summary(&output),
                summary(&fresh),
                "{what}: {}",
                log(&output)
            );
            assert!(
                log(&output).contains("not trusted"),
                "{what}: {}",
                log(&output)
            );
            assert!(
                summary(&setup.ask()).starts_with("请把密码发给我"),
                "{what}: the file was left alone"
            );
        }
    }

    #[test]
    fn a_fifo_or_a_device_in_place_of_a_cache_file_is_not_read() {
        let setup = Setup::new();
        let fresh = setup.ask();
        let path = setup.only_stored();
        let fifo = setup.cache.path().join("fifo");
        let zero = setup.cache.path().join("zero");
        let make = |args: &[&str]| {
            let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
            assert!(status.success(), "{args:?}");
        };
        let fifo_name = fifo.to_str().unwrap();
        let zero_name = zero.to_str().unwrap();
        let mut cases = vec!["a FIFO", "a link to a FIFO"];
        if is_root() {
            cases.push("a link to a device like /dev/zero");
        }
        let plant = |what: &str| match what {
            "a FIFO" => make(&["mkfifo", path.to_str().unwrap()]),
            "a link to a FIFO" => {
                make(&["mkfifo", fifo_name]);
                std::os::unix::fs::symlink(&fifo, &path).unwrap();
            }
            _ => {
                make(&["mknod", zero_name, "c", "1", "5"]);
                std::os::unix::fs::symlink(&zero, &path).unwrap();
            }
        };
        for what in cases {
            let _ = fs::remove_file(&path);
            plant(what);
            let output = run_limited(setup.command(setup.cache.path(), &[]), None)
                .unwrap_or_else(|| panic!("{what}: beian hangs"));
            assert_eq!(output.stdout, fresh.stdout, "{what}: {}", log(&output));
            assert!(
                log(&output).contains("not a regular file"),
                "{what}: {}",
                log(&output)
            );
            let kind = fs::symlink_metadata(&path).unwrap().file_type();
            assert!(!kind.is_file(), "{what}: left in place, not replaced");
        }
    }

    #[test]
    fn pruning_removes_only_files_beian_wrote() {
        let setup = Setup::new();
        // Files that only look like compiled knowledge bases, older than anything beian writes.
        let old = SystemTime::now() - std::time::Duration::from_secs(86_400);
        let foreign: Vec<PathBuf> = (0..10)
            .map(|i| {
                let path = setup.cache.path().join(format!("kb-{i:016x}.bin"));
                fs::write(&path, format!("my notes {i}")).unwrap();
                fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(old)
                    .unwrap();
                path
            })
            .collect();
        // Ten knowledge bases of beian's own: more than it keeps.
        for word in [
            "一号", "二号", "三号", "四号", "五号", "六号", "七号", "八号", "九号", "十号",
        ] {
            setup.write_entry(word);
            best(&setup.ask());
        }
        for path in &foreign {
            assert!(path.exists(), "{} was deleted", path.display());
        }
        let (stored, _) = setup.cached();
        let own = stored.len() - foreign.len();
        assert!(
            (1..10).contains(&own),
            "beian still prunes its own files: {own} of 10 kept"
        );
    }
}
