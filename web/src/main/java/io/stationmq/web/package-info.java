/**
 * A live web view of a running network: {@link io.stationmq.web.WebView} serves a page, its data
 * as JSON and server-sent events, and optionally a Prometheus scrape, from the process that runs
 * a Station; {@link io.stationmq.web.RecentEvents} keeps the Station's latest warnings for it.
 * A separate module so that a Station without a view carries no HTTP server.
 */
package io.stationmq.web;
