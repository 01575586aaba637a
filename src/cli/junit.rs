//! `cablesim check --junit FILE`: the verdicts as JUnit XML, the format CI
//! servers (GitHub Actions reporters, GitLab's `artifacts:reports:junit`,
//! Jenkins) show as tests. One test suite per scenario file, one test case
//! per expectation and configuration; quick-junit escapes and counts.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The verdicts of one scenario file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SuiteResult {
    /// The path as given on the command line: the suite's name.
    pub(crate) path: String,
    /// The file's runs together: cases that share a configuration share
    /// its run, so summing the cases would count a run several times.
    pub(crate) time: Duration,
    /// One per expectation and configuration, in the order they were judged.
    pub(crate) cases: Vec<CaseResult>,
}

/// One expectation under one configuration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaseResult {
    /// `NAME [config]`.
    pub(crate) name: String,
    /// The scenario's name, which CI servers group the cases by.
    pub(crate) classname: String,
    /// What was expected and what was measured, when it did not hold.
    pub(crate) failure: Option<String>,
    /// How long the run of this configuration took.
    pub(crate) time: Duration,
}

/// The JUnit XML document of `suites`.
pub(crate) fn junit_xml(suites: &[SuiteResult]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("cablesim check");
    for suite in suites {
        let mut test_suite = TestSuite::new(suite.path.as_str());
        test_suite.set_time(suite.time);
        for case in &suite.cases {
            let status = match &case.failure {
                None => TestCaseStatus::success(),
                Some(message) => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(message.as_str());
                    status
                }
            };
            let mut test_case = TestCase::new(case.name.as_str(), status);
            test_case.set_classname(case.classname.as_str());
            test_case.set_time(case.time);
            test_suite.add_test_case(test_case);
        }
        report.add_test_suite(test_suite);
    }
    report.set_time(suites.iter().map(|suite| suite.time).sum());
    report.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_suite_per_file_one_case_per_expectation_and_config() {
        let suites = [
            SuiteResult {
                path: "a.toml".into(),
                time: Duration::from_millis(1750),
                cases: vec![
                    CaseResult {
                        name: "no leak [e2e-fs]".into(),
                        classname: "alpha".into(),
                        failure: None,
                        time: Duration::from_millis(1500),
                    },
                    CaseResult {
                        name: "no leak [as written]".into(),
                        classname: "alpha".into(),
                        failure: Some("phishers content <= 100 (measured 1,163)".into()),
                        time: Duration::from_millis(250),
                    },
                ],
            },
            SuiteResult {
                path: "dir/b & c.toml".into(),
                time: Duration::from_secs(2),
                cases: vec![CaseResult {
                    name: "forgeries <refused>".into(),
                    classname: "beta".into(),
                    failure: None,
                    time: Duration::from_secs(2),
                }],
            },
        ];
        let xml = junit_xml(&suites).unwrap();
        assert_eq!(
            xml,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="cablesim check" tests="3" failures="1" errors="0" time="3.750">
    <testsuite name="a.toml" tests="2" disabled="0" errors="0" failures="1" time="1.750">
        <testcase name="no leak [e2e-fs]" classname="alpha" time="1.500">
        </testcase>
        <testcase name="no leak [as written]" classname="alpha" time="0.250">
            <failure message="phishers content &lt;= 100 (measured 1,163)"/>
        </testcase>
    </testsuite>
    <testsuite name="dir/b &amp; c.toml" tests="1" disabled="0" errors="0" failures="0" time="2.000">
        <testcase name="forgeries &lt;refused&gt;" classname="beta" time="2.000">
        </testcase>
    </testsuite>
</testsuites>
"#
        );
    }
}
