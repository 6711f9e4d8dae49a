package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.scheduler.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report rendered by headless Chromium: its inline script counts the lanes and task rectangles the
 * browser drew. Chromium is required (Debian packages chromium and chromium-driver; .ci/run installs them):
 * without it this test fails, it is never skipped.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunReportBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** The report's hidden self-check element, whose data attributes its script fills in. */
    private static final Pattern SELF_CHECK = Pattern.compile("<div id=\"selfcheck\"[^>]*>");
    private static final Pattern LANES = Pattern.compile("data-lanes=\"(\\d+)\"");
    private static final Pattern TASKS = Pattern.compile("data-tasks=\"(\\d+)\"");

    @TempDir
    Path dir;

    @Test
    void browserDrawsALanePerWorkerAndARectanglePerTaskThatRan() throws Exception {
        RunTrace trace;
        try (Worker w = Worker.builder().numSubWorkers(3).heapRingSize(1 << 20)
                .trace(dev.strata.config.TraceSettings.to("")).build()) {
            KnownDag dag = new KnownDag(w);
            w.init();
            w.run(dag.task(w));
            trace = w.lastRunTrace();
        }
        Path report = dir.resolve("report.html");
        RunReport.write(report, trace);
        String html = Files.readString(report);
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "external resource");
        assertTrue(html.contains("sub#0") && html.contains("sub#1"), "legend names the callables");
        assertTrue(html.contains("id=\"critical\">" + KnownDag.CRITICAL_TASKS + " tasks"), "critical path");

        Matcher check = SELF_CHECK.matcher(html);
        assertTrue(check.find() && check.group().contains(" hidden"), "the self-check is hidden: " + html);
        assertFalse(Pattern.compile("lanes=\\S* tasks=").matcher(html).find(), "no self-check text on the page");

        Matcher rendered = SELF_CHECK.matcher(render(report));
        assertTrue(rendered.find(), "the self-check element is in the rendered page");
        Matcher lanes = LANES.matcher(rendered.group());
        Matcher tasks = TASKS.matcher(rendered.group());
        assertTrue(lanes.find() && tasks.find(), "the report's script did not run in the browser: " + rendered.group());
        assertEquals(3, Integer.parseInt(lanes.group(1)), "lanes");
        assertEquals(KnownDag.MEMBERS, Integer.parseInt(tasks.group(1)), "tasks");
    }

    @Test
    void aLevelFourReportsSelfCheckCountsItsOwnSwimlaneNotTheEnginesBelow() throws Exception {
        Path report = dir.resolve("level4.html");
        RunReport.write(report, LevelFourTraceTest.TRACE);
        Matcher rendered = SELF_CHECK.matcher(render(report));
        assertTrue(rendered.find(), "the self-check element is in the rendered page");
        Matcher lanes = LANES.matcher(rendered.group());
        Matcher tasks = TASKS.matcher(rendered.group());
        assertTrue(lanes.find() && tasks.find(), "the report's script did not run in the browser: " + rendered.group());
        assertEquals(LevelFourTraceTest.TRACE.workers().size(), Integer.parseInt(lanes.group(1)), "engine lanes");
        assertEquals(LevelFourTraceTest.TRACE.tasks().size(), Integer.parseInt(tasks.group(1)), "level-4 tasks");
    }

    private String render(Path report) throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            String why = "headless Chromium is needed to test the run report but " + CHROMIUM + " is missing: "
                    + "install the Debian packages with `apt-get install -y chromium chromium-driver`";
            // CI (.ci/run) installs it and sets STRATA_REQUIRE_BROWSER=1, so there this test always runs; a
            // developer's machine without a browser is told what it missed.
            if ("1".equals(System.getenv("STRATA_REQUIRE_BROWSER"))) {
                fail(why + " (.ci/run installs them)");
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        Path profile = Files.createDirectory(dir.resolve("profile"));
        Path dom = dir.resolve("dom.html");
        Process p = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--user-data-dir=" + profile, "--dump-dom", report.toUri().toString()))
                .redirectOutput(dom.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not render the report within 90 s");
        }
        assertEquals(0, p.exitValue(), "chromium exit code");
        return Files.readString(dom, StandardCharsets.UTF_8);
    }
}
