//! Slow and greedy clients over real sockets: a body trickled byte by byte is cut off, headers
//! that never end are cut off, an idle connection is closed, and a body declared too large is
//! refused before a byte of it is read.

// Tests may unwrap, index and count freely: a failure there is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves the built-in protocols on a free port of this machine; returns the address.
async fn server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let site = celldose_web::Site::new(celldose::Catalogue::builtin().unwrap(), None);
    tokio::spawn(celldose_web::serve(listener, site, std::future::pending()));
    address
}

/// Everything the server sends until it closes the connection, and how long that took; `None`
/// when it is still open after `most`.
async fn until_closed(stream: &mut TcpStream, most: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut received = Vec::new();
    let read = tokio::time::timeout(most, stream.read_to_end(&mut received)).await;
    match read {
        Ok(_) => Some((
            String::from_utf8_lossy(&received).into_owned(),
            started.elapsed(),
        )),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off_and_a_huge_one_refused_at_once() {
    let address = server().await;
    let head = |length: u64| {
        format!(
            "POST /api/dose HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
    };
    // 1 GB declared: refused before a byte of the body is sent.
    let mut huge = TcpStream::connect(address).await.unwrap();
    huge.write_all(head(1_000_000_000).as_bytes())
        .await
        .unwrap();
    let (answer, took) = until_closed(&mut huge, Duration::from_secs(5))
        .await
        .expect("the connection is closed");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("more than the 4,194,304 a request may have"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
    // A body sent one byte every two seconds is cut off at the body deadline.
    let body = br#"{"protocol":"NCT07276568","arm":"alf","level":"1","weight":"72.5kg"}"#;
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(head(u64::try_from(body.len()).unwrap()).as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    let trickle = async {
        for byte in body {
            if slow.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            if started.elapsed() > celldose_web::BODY_TIMEOUT + Duration::from_secs(5) {
                break;
            }
        }
        let mut received = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut received)).await;
        String::from_utf8_lossy(&received).into_owned()
    };
    let answer = trickle.await;
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 10 s"), "{answer}");
    assert!(
        took < celldose_web::BODY_TIMEOUT + Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_never_end_and_an_idle_connection_are_closed() {
    let address = server().await;
    // Headers trickled one line every two seconds, never ended.
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(format!("GET / HTTP/1.1\r\nHost: {address}\r\n").as_bytes())
        .await
        .unwrap();
    let drip = async {
        for n in 0..20 {
            tokio::time::sleep(Duration::from_secs(2)).await;
            if slow
                .write_all(format!("X-Drip-{n}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    };
    let mut idle = TcpStream::connect(address).await.unwrap();
    let (_, (closed, took)) = tokio::join!(
        tokio::time::timeout(celldose_web::HEADER_TIMEOUT + Duration::from_secs(5), drip),
        async {
            until_closed(
                &mut idle,
                celldose_web::HEADER_TIMEOUT + Duration::from_secs(5),
            )
            .await
            .expect("an idle connection is closed")
        }
    );
    assert!(
        took >= celldose_web::HEADER_TIMEOUT - Duration::from_secs(1),
        "{took:?}"
    );
    assert!(!closed.starts_with("HTTP/1.1 200"), "{closed}");
    let mut rest = Vec::new();
    let cut = tokio::time::timeout(Duration::from_secs(2), slow.read_to_end(&mut rest)).await;
    assert!(
        cut.is_ok(),
        "the trickled headers' connection is still open"
    );
    // The server still answers a well-formed request at once.
    let mut good = TcpStream::connect(address).await.unwrap();
    good.write_all(
        format!("GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let (answer, took) = until_closed(&mut good, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(1), "{took:?}");
}
