//! Engine benchmarks: the analyzer, the index lookup, and a whole advice, for a short question and a
//! long pasted notice. Run with `cargo bench --bench engine`.

use beian_engine::analyzer;
use beian_engine::index::table::TermTable;
use beian_engine::index::WeightedTerm;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

const QUESTION: &str = "网站换了云服务商,原来的备案号还能用吗";

fn notice() -> String {
    let reasons = [
        "网站名称不符合规范，不能使用公司简称以外的名称",
        "通信地址不详细，请填写到门牌号",
        "幕布照片不清晰，请重新拍摄",
        "负责人证件已过期",
        "域名持有者与备案主体不一致",
    ];
    let mut text =
        String::from("尊敬的客户您好，您的备案订单 ORDER20261128001 被管局退回，原因如下：\n");
    for (i, reason) in reasons.iter().enumerate() {
        text.push_str(&format!("{}. {reason}；\n", i + 1));
    }
    text.push_str("请修改后重新提交。如有疑问请联系客服。");
    text
}

fn benches(c: &mut Criterion) {
    let notice = notice();
    c.bench_function("analyzer/question", |b| {
        b.iter(|| analyzer::terms(black_box(QUESTION)))
    });
    c.bench_function("analyzer/notice", |b| {
        b.iter(|| analyzer::terms(black_box(&notice)))
    });

    c.bench_function("startup/advisor_builtin", |b| {
        b.iter(|| beian::builtin::advisor().unwrap())
    });

    let advisor = beian::builtin::advisor().unwrap();
    let index = beian::builtin::index().unwrap();
    let texts = analyzer::terms(QUESTION);
    let terms: Vec<WeightedTerm> = texts
        .iter()
        .map(|text| WeightedTerm { text, weight: 1.0 })
        .collect();
    c.bench_function("index/lookup_question", |b| {
        b.iter(|| index.lookup(black_box(&terms)).unwrap())
    });
    c.bench_function("index/term_table_build", |b| {
        b.iter(|| TermTable::build(&index).unwrap())
    });
    let table = TermTable::build(&index).unwrap();
    c.bench_function("index/term_table_lookup_question", |b| {
        b.iter(|| table.lookup(black_box(&terms)))
    });

    c.bench_function("advise/question", |b| {
        b.iter(|| advisor.advise(black_box(QUESTION), 5).unwrap())
    });
    c.bench_function("advise/notice", |b| {
        b.iter(|| advisor.advise(black_box(&notice), 5).unwrap())
    });

    let mut out = Vec::new();
    c.bench_function("advise+render/question", |b| {
        b.iter(|| {
            out.clear();
            let advice = advisor.advise(black_box(QUESTION), 5).unwrap();
            beian::render::text::write_advice(&mut out, &advice, &Default::default()).unwrap();
        })
    });
}

criterion_group!(engine, benches);
criterion_main!(engine);
