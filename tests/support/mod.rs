//! Shared helpers for integration tests.

/// Serve `app` on 127.0.0.1 at a random port; returns its origin (`http://127.0.0.1:PORT`).
/// The server lives until the test's runtime ends.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
