/**
 * The Strata test kit: a JUnit 5 extension that gives a test engines pre-set for tests (and in-JVM clusters),
 * faults on demand, and assertions on what ran, read from the run's trace. See docs/testkit.md.
 */
package dev.strata.testkit;
