//! Ready-made patterns for common log lines, used as `--extract FIELD=@NAME`. A pattern is one
//! or more regular expressions tried in order (one per line layout); the named groups of the
//! first that matches become fields. Every field is a string; groups that did not take part in
//! the match are left out.

use regex::Regex;

pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    pub fields: &'static str,
    pub layouts: &'static [&'static str],
}

pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "syslog",
        about: "BSD syslog lines (RFC 3164), as in /var/log/syslog, auth.log, messages",
        fields: "priority (when the line starts with <N>), timestamp (\"Dec 10 06:55:46\", no year), \
                 host, program (the tag), pid (when given as program[pid]), message",
        layouts: &[
            r"^(?:<(?P<priority>\d{1,3})>)?(?P<timestamp>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (?P<host>\S+) +(?P<program>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?:? ?(?P<message>(?s:.*))$",
        ],
    },
    Builtin {
        name: "apache-error",
        about: "Apache httpd error log lines (2.2 and 2.4 layouts)",
        fields: "timestamp (\"Sun Dec 04 04:47:44 2005\"), module (2.4), level, pid and tid (2.4), \
                 client (when given), message",
        layouts: &[
            r"^\[(?P<timestamp>[^\]]+)\] \[(?:(?P<module>[a-z_0-9]+):)?(?P<level>[a-z]+\d?)\](?: \[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\])?(?: \[client (?P<client>[^\]]+)\])? ?(?P<message>(?s:.*))$",
        ],
    },
    Builtin {
        name: "combined",
        about: "Apache/nginx access log lines in the combined (or common) log format",
        fields: "client, ident, user, timestamp (\"10/Oct/2000:13:55:36 -0700\"), method, path, \
                 protocol (or request, when the request line is not METHOD PATH PROTOCOL), \
                 status, bytes, referer and agent (combined format only)",
        layouts: &[
            r#"^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<timestamp>[^\]]+)\] "(?:(?P<method>[A-Z]+) (?P<path>[^\s"]+)(?: (?P<protocol>[^\s"]+))?|(?P<request>(?:[^"\\]|\\.)*))" (?P<status>\d{3}) (?P<bytes>\d+|-)(?: "(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?\s*$"#,
        ],
    },
    Builtin {
        name: "log4j",
        about: "Java logging lines: ZooKeeper's, Hadoop HDFS's, Spark's and the usual log4j layout",
        fields: "timestamp (as written), level, logger, message; also thread and line (ZooKeeper: \
                 [thread:Logger@line]), pid (HDFS), thread (log4j [thread])",
        layouts: &[
            // ZooKeeper: 2015-07-29 17:41:44,747 - INFO  [thread:Logger@774] - message
            r"^(?P<timestamp>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?) - (?P<level>[A-Z]+) +\[(?P<thread>.*):(?P<logger>[^:\]]+)@(?P<line>\d+)\] - (?P<message>(?s:.*))$",
            // HDFS: 081109 203615 148 INFO dfs.DataNode$PacketResponder: message
            r"^(?P<timestamp>\d{6} \d{6}) (?P<pid>\d+) (?P<level>[A-Z]+) (?P<logger>[^\s:]+): (?P<message>(?s:.*))$",
            // Spark: 17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: message
            r"^(?P<timestamp>\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) (?P<level>[A-Z]+) (?P<logger>[^\s:]+): (?P<message>(?s:.*))$",
            // log4j's usual %d %-5p [%t] %c: %m
            r"^(?P<timestamp>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[,.]\d+)?) +(?P<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE) +(?:\[(?P<thread>[^\]]*)\] +)?(?P<logger>[^\s:]+):? (?P<message>(?s:.*))$",
        ],
    },
];

/// The compiled layouts of built-in pattern `name`.
pub fn builtin(name: &str) -> Option<Vec<Regex>> {
    let b = BUILTINS.iter().find(|b| b.name == name)?;
    // The built-in expressions are fixed text, checked by the tests below.
    b.layouts.iter().map(|re| Regex::new(re).ok()).collect()
}

/// The names, for messages.
pub fn names() -> String {
    BUILTINS
        .iter()
        .map(|b| format!("@{}", b.name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(name: &str, line: &str) -> Vec<(String, String)> {
        let layouts = builtin(name).unwrap();
        let re = layouts.iter().find(|re| re.is_match(line)).expect(line);
        let caps = re.captures(line).unwrap();
        re.capture_names()
            .flatten()
            .filter_map(|n| {
                caps.name(n)
                    .map(|m| (n.to_string(), m.as_str().to_string()))
            })
            .collect()
    }

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn every_builtin_compiles() {
        for b in BUILTINS {
            assert_eq!(
                builtin(b.name).map(|v| v.len()),
                Some(b.layouts.len()),
                "{}",
                b.name
            );
        }
    }

    #[test]
    fn syslog() {
        assert_eq!(
            fields(
                "syslog",
                "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster"
            ),
            f(&[
                ("timestamp", "Dec 10 06:55:46"),
                ("host", "LabSZ"),
                ("program", "sshd"),
                ("pid", "24200"),
                ("message", "Invalid user webmaster")
            ])
        );
        assert_eq!(
            fields(
                "syslog",
                "<34>Jul  3 04:08:03 combo syslogd 1.4.1: restart."
            ),
            f(&[
                ("priority", "34"),
                ("timestamp", "Jul  3 04:08:03"),
                ("host", "combo"),
                ("program", "syslogd"),
                ("message", "1.4.1: restart.")
            ])
        );
    }

    #[test]
    fn apache_error() {
        assert_eq!(
            fields(
                "apache-error",
                "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist"
            ),
            f(&[
                ("timestamp", "Wed Oct 11 14:32:52.123456 2000"),
                ("module", "core"),
                ("level", "error"),
                ("pid", "35708"),
                ("tid", "4328636416"),
                ("client", "72.15.99.187"),
                ("message", "File does not exist")
            ])
        );
    }

    #[test]
    fn combined() {
        assert_eq!(
            fields(
                "combined",
                r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#
            ),
            f(&[
                ("client", "127.0.0.1"),
                ("ident", "-"),
                ("user", "frank"),
                ("timestamp", "10/Oct/2000:13:55:36 -0700"),
                ("method", "GET"),
                ("path", "/apache_pb.gif"),
                ("protocol", "HTTP/1.0"),
                ("status", "200"),
                ("bytes", "2326"),
                ("referer", "http://www.example.com/start.html"),
                ("agent", "Mozilla/4.08 [en] (Win98; I ;Nav)")
            ])
        );
        assert_eq!(
            fields(
                "combined",
                r#"10.0.0.9 - - [10/Oct/2000:13:55:36 +0000] "-" 400 -"#
            ),
            f(&[
                ("client", "10.0.0.9"),
                ("ident", "-"),
                ("user", "-"),
                ("timestamp", "10/Oct/2000:13:55:36 +0000"),
                ("request", "-"),
                ("status", "400"),
                ("bytes", "-")
            ])
        );
    }

    #[test]
    fn log4j_layouts() {
        assert_eq!(
            fields(
                "log4j",
                "2015-07-29 19:04:12,394 - INFO  [/10.10.34.11:3888:QuorumCnxManager$Listener@493] - Received connection"
            ),
            f(&[
                ("timestamp", "2015-07-29 19:04:12,394"),
                ("level", "INFO"),
                ("thread", "/10.10.34.11:3888"),
                ("logger", "QuorumCnxManager$Listener"),
                ("line", "493"),
                ("message", "Received connection")
            ])
        );
        assert_eq!(
            fields(
                "log4j",
                "2024-01-02 03:04:05,006 WARN  [main] org.example.App: careful"
            ),
            f(&[
                ("timestamp", "2024-01-02 03:04:05,006"),
                ("level", "WARN"),
                ("thread", "main"),
                ("logger", "org.example.App"),
                ("message", "careful")
            ])
        );
    }
}
