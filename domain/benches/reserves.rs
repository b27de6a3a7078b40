//! Reserve engine benchmark: 50 companies × 10,000 iterations, both arms, every allocation level,
//! ranking and allocation — one full `reserves::run`, on one thread and on all of them.
//!
//! `cargo bench -p domain --bench reserves`; figures go in docs/benchmarks.md, "Reserve engine".
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use domain::reserves::{parse_portfolio, run, CompanyInput, PortfolioInput, RunParams};
use rust_decimal::Decimal;

const COMPANIES: usize = 50;
const ITERATIONS: u32 = 10_000;

/// The demo portfolio's active companies repeated to 50, each copy with its own id (so its own
/// random streams) and a slightly different valuation, in a $200M fund with $60M of reserves: caps
/// of $12M, i.e. 49 reserve levels per company at $250K increments.
fn fifty_company_portfolio() -> (PortfolioInput, RunParams) {
    let (demo, mut params) =
        parse_portfolio(include_str!("../examples/portfolio.json")).expect("demo portfolio parses");
    let active: Vec<&CompanyInput> = demo.companies.iter().filter(|c| c.active).collect();
    let companies = (0..COMPANIES)
        .map(|i| {
            let mut c = active[i % active.len()].clone();
            c.id = format!("bench-{i:02}");
            c.post_money += Decimal::from(i as u64 * 100_000);
            c
        })
        .collect();
    let mut input = PortfolioInput {
        fund: demo.fund,
        companies,
    };
    input.fund.size = Decimal::from(200_000_000);
    input.fund.available_reserves = Decimal::from(60_000_000);
    params.iterations = ITERATIONS;
    (input, params)
}

fn bench_run(c: &mut Criterion) {
    let (input, params) = fifty_company_portfolio();
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("reserves");
    group.sample_size(30);
    // Throughput in company-paths: one path per company and iteration, valued at both arms and at
    // every reserve level.
    group.throughput(Throughput::Elements(
        (COMPANIES as u64) * u64::from(ITERATIONS),
    ));
    let threads = rayon::current_num_threads();
    for (name, pool_threads) in [
        ("50x10k_1_thread".to_string(), 1),
        (format!("50x10k_{threads}_threads"), threads),
    ] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(pool_threads)
            .build()
            .expect("thread pool");
        group.bench_function(name, |b| {
            b.iter(|| {
                pool.install(|| {
                    run(black_box(&input), black_box(&params), &|_| {}, &cancel).expect("valid run")
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_run);
criterion_main!(benches);
