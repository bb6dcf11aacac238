//! The C4 topic-detail parser on reconstructed payloads (tests/fixtures/topics/NOTES.md):
//! host, media and contributors, lenient types, envelopes and broken bodies.

use resou::sources::SourceError;
use resou::sources::topic::{AccountRole, TopicDetail, parse_detail};

const HOST: &str = include_str!("../fixtures/topics/detail_host.json");
const NO_HOST: &str = include_str!("../fixtures/topics/detail_no_host.json");
const QUIRKS: &str = include_str!("../fixtures/topics/detail_quirks.json");
const CODE_ERROR: &str = include_str!("../fixtures/topics/detail_code_error.json");
const LOGIN_WALL: &str = include_str!("../fixtures/topics/login_wall.html");

fn parse(body: &str, tag: &str) -> TopicDetail {
    parse_detail(body, tag).unwrap_or_else(|e| panic!("{tag}: {e}"))
}

fn names(accounts: &[resou::sources::topic::Account]) -> Vec<&str> {
    accounts.iter().map(|a| a.name.as_str()).collect()
}

#[test]
fn string_code_with_host_media_and_joined_contributors() {
    let d = parse(HOST, "#命好的人本质是主体性强#");
    assert_eq!(d.hashtag, "#命好的人本质是主体性强#");
    assert_eq!(d.title.as_str(), "命好的人本质是主体性强");
    assert_eq!(
        d.topic_id.as_deref(),
        Some("231522ca6b80061b96349c8b1367b91b62e20a")
    );
    assert_eq!(d.category.as_ref().map(|c| c.as_str()), Some("情感"));
    assert_eq!(d.summary, None, "empty summary is absent");
    assert_eq!(
        d.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-08-14T15:34:03+08:00")
    );
    // sums of the archived hourly series (see NOTES.md)
    assert!(d.reads.is_some_and(|r| r > 0));
    assert!(d.mentions.is_some_and(|m| m > 0));
    assert!(d.interactions.is_some() && d.originals.is_some());

    let host = d.host.as_ref().expect("host");
    assert_eq!(host.name.as_str(), "人间观察大赏");
    assert_eq!(host.uid.as_deref(), Some("5675905882"));
    assert_eq!(host.role, AccountRole::Host);
    assert_eq!(host.verified_type, None);

    assert_eq!(names(&d.media), ["泰山晚报"]);
    assert_eq!(d.media[0].uid.as_deref(), Some("1727472420"));
    assert_eq!(d.media[0].verified_type, Some(3));
    assert_eq!(d.media[0].role, AccountRole::Media);

    // `lists` order kept; the entry without a `lists_users` match is skipped; the user
    // with only a numeric `id` still joins.
    assert_eq!(
        names(&d.contributors),
        ["吉吉国王的小锦鲤", "__棠梨", "卿云TwTang"]
    );
    assert_eq!(d.contributors[1].uid.as_deref(), Some("2443142954"));
    assert!(
        d.contributors
            .iter()
            .all(|a| a.role == AccountRole::Contributor)
    );
    let roles: Vec<AccountRole> = d.accounts().map(|a| a.role).collect();
    assert_eq!(roles.len(), 5);
    assert_eq!(roles[0], AccountRole::Host);
}

#[test]
fn numeric_code_and_null_host() {
    let d = parse(NO_HOST, "#王传君终于原谅爱情公寓了#");
    assert_eq!(d.title.as_str(), "王传君终于原谅爱情公寓了");
    assert_eq!(d.host, None);
    assert_eq!(d.category, None);
    assert_eq!(
        names(&d.media),
        [
            "中国蓝新闻",
            "长春晚报",
            "河北经视",
            "潇湘晨报",
            "中网传播",
            "今视频长天新闻",
            "北京时间"
        ]
    );
    assert!(d.media.iter().all(|a| a.verified_type == Some(3)));
    assert!(d.contributors.is_empty());
}

#[test]
fn wrong_types_duplicates_and_hostile_names() {
    let d = parse(QUIRKS, "#台风白海豚#");
    // create_at as a string
    assert_eq!(
        d.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2014-12-04T22:44:46+08:00")
    );
    // counts as strings
    assert!(d.reads.is_some_and(|r| r > 0));
    assert_eq!(d.host.as_ref().map(|h| h.name.as_str()), Some("中国天气"));
    assert_eq!(
        d.host.as_ref().and_then(|h| h.uid.as_deref()),
        Some("1498396803")
    );
    // duplicate, non-object and nameless entries dropped; 7 real accounts remain
    assert_eq!(d.media.len(), 7, "{:?}", names(&d.media));
    assert_eq!(d.media[1].name.as_str(), "钱江视频");
    assert_eq!(d.media[1].uid.as_deref(), Some("1744332207"), "id only");
    assert_eq!(d.media[2].verified_type, Some(3), "string verified_type");
    assert_eq!(
        d.media[3].name.as_str(),
        "温度新闻",
        "escape and bidi removed"
    );
    for a in d.accounts() {
        assert!(
            !a.name
                .as_str()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "{:?}",
            a.name
        );
    }
    assert!(d.contributors.is_empty(), "PHP-style [] lists");
}

#[test]
fn envelope_errors() {
    assert_eq!(
        parse_detail(CODE_ERROR, "#x#"),
        Err(SourceError::Envelope {
            code: 100_002,
            msg: "系统繁忙，请稍后再试".into()
        })
    );
    // no code at all
    assert!(matches!(
        parse_detail(r#"{"data":{}}"#, "#x#"),
        Err(SourceError::Envelope { code: -1, .. })
    ));
    // code right, data not an object
    assert!(matches!(
        parse_detail(r#"{"code":"100000","data":[1]}"#, "#x#"),
        Err(SourceError::Decode(_))
    ));
    // a Weibo `ok` envelope is not a topic answer
    assert!(matches!(
        parse_detail(r#"{"ok":1,"data":{}}"#, "#x#"),
        Err(SourceError::Envelope { .. })
    ));
}

#[test]
fn unknown_topic_is_empty_and_wrong_sections_are_decode_errors() {
    for body in [
        r#"{"code":"100000","data":{}}"#,
        r#"{"code":"100000","data":{"baseInfo":{},"baseData":{},"baseClaimList":{},"media_info":{}}}"#,
        r#"{"code":100000,"data":{"baseInfo":[]}}"#,
    ] {
        assert_eq!(parse_detail(body, "#x#"), Err(SourceError::Empty), "{body}");
    }
    assert!(matches!(
        parse_detail(
            r##"{"code":"100000","data":{"baseInfo":{"object":"#x#"}}}"##,
            "#x#"
        ),
        Err(SourceError::Decode(_))
    ));
    assert!(matches!(
        parse_detail(
            r###"{"code":"100000","data":{"baseInfo":{"object":{"display_name":"##"}}}}"###,
            "#x#"
        ),
        Err(SourceError::Decode(_))
    ));
}

#[test]
fn html_and_truncated_bodies() {
    assert!(matches!(
        parse_detail(LOGIN_WALL, "#x#"),
        Err(SourceError::LoginRequired { .. })
    ));
    assert_eq!(
        parse_detail("<html><body>微博</body></html>", "#x#"),
        Err(SourceError::WrongBody("HTML page".into()))
    );
    // cut anywhere: an error, never a panic or a partial success
    for cut in [1, HOST.len() / 3, HOST.len() / 2, HOST.len() - 3] {
        let mut end = cut;
        while !HOST.is_char_boundary(end) {
            end -= 1;
        }
        assert!(
            matches!(
                parse_detail(&HOST[..end], "#x#"),
                Err(SourceError::Decode(_))
            ),
            "cut at {end}"
        );
    }
    assert!(matches!(
        parse_detail("", "#x#"),
        Err(SourceError::WrongBody(_))
    ));
}
