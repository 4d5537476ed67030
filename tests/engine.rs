//! The engine through the library: every built-in entry is found by its own titles, with the index
//! compiled into the binary and with one built at run time (the `--kb` path) alike.

use beian_engine::advise::{Advisor, Status};

/// Asks each entry's Chinese title (must rank the entry first, as a confident match) and its English
/// title (must rank it in the top 3); returns one line per miss.
fn misses(advisor: &Advisor) -> Vec<String> {
    let mut misses = Vec::new();
    for entry in advisor.kb().entries() {
        let advice = advisor.advise(&entry.title, 5).expect("advise");
        let got: Vec<&str> = advice.results.iter().map(|a| a.entry.id.as_str()).collect();
        if got.first() != Some(&entry.id.as_str()) || advice.status != Status::Match {
            misses.push(format!(
                "{} by its title {:?}: [{}] {got:?}",
                entry.id,
                entry.title,
                advice.status.as_str()
            ));
        }
        let advice = advisor.advise(&entry.title_en, 5).expect("advise");
        let top3: Vec<&str> = advice
            .results
            .iter()
            .take(3)
            .map(|a| a.entry.id.as_str())
            .collect();
        if !top3.contains(&entry.id.as_str()) {
            misses.push(format!(
                "{} by its English title {:?}: {top3:?}",
                entry.id, entry.title_en
            ));
        }
    }
    misses
}

#[test]
fn every_built_in_entry_is_found_by_its_own_titles() {
    let advisor = beian::builtin::advisor().expect("the built-in advisor opens");
    assert!(advisor.kb().entries().len() >= 54);
    let misses = misses(&advisor);
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn an_index_built_at_run_time_finds_them_too() {
    // `--kb DIR` indexes at run time; it must rank like the index compiled by build.rs.
    let kb = beian::builtin::knowledge_base();
    let advisor = Advisor::new(kb).expect("the knowledge base indexes");
    let misses = misses(&advisor);
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn a_title_inside_a_sentence_still_leads() {
    let advisor = beian::builtin::advisor().unwrap();
    let advice = advisor.advise("请问：备案被驳回后怎么办？谢谢", 5).unwrap();
    assert_eq!(advice.status, Status::Match);
    assert_eq!(advice.results[0].entry.id, "faq/rejected-what-next");
    assert!(advice.results.len() <= 5);
    for answer in &advice.results {
        assert!(
            (0.0..=1.0).contains(&answer.confidence),
            "{}",
            answer.confidence
        );
    }
}

/// An encoder that counts the queries it embeds; every text gets the same vector.
struct Counting(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl beian_engine::semantic::Embed for Counting {
    fn embed_queries(
        &self,
        texts: &[&str],
    ) -> Result<Vec<Vec<f32>>, beian_engine::semantic::EmbedError> {
        self.0
            .fetch_add(texts.len(), std::sync::atomic::Ordering::SeqCst);
        self.embed_passages(texts)
    }
    fn embed_passages(
        &self,
        texts: &[&str],
    ) -> Result<Vec<Vec<f32>>, beian_engine::semantic::EmbedError> {
        Ok(texts.iter().map(|_| vec![0.6, 0.8]).collect())
    }
    fn fingerprint(&self) -> String {
        "counting".to_string()
    }
}

#[test]
fn the_encoder_reads_only_what_no_notice_pattern_decides() {
    use beian_engine::semantic::{EntryVectors, Semantic};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut advisor = beian::builtin::advisor().unwrap();
    let embedded = std::sync::Arc::new(AtomicUsize::new(0));
    let embed = Counting(embedded.clone());
    let vectors = EntryVectors::build(advisor.kb().entries(), &embed, &mut |_, _| {}).unwrap();
    advisor.set_semantic(Semantic::new(Box::new(embed), vectors));

    // Two reasons in a provider's wording (each a notice pattern of an entry), and the notice whole.
    let notice = "您的备案申请已被退回，原因如下：1. 域名后缀不支持备案；2. 注册商非工信部批复。";
    let advice = advisor.advise(notice, 5).unwrap();
    assert_eq!(advice.results.len(), 2, "{:?}", advice.results);
    assert_eq!(embedded.load(Ordering::SeqCst), 0, "words decide a notice");

    // A question in the user's own words is embedded, once.
    advisor.advise("我的网站能用 .dev 的域名吗", 5).unwrap();
    assert_eq!(embedded.load(Ordering::SeqCst), 1);
}
