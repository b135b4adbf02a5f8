package io.kubecoderun.standalone.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The standalone bench's instrument, without the app: its reading of {@code /proc/stat}, its percentiles, the
 * targets' verdicts, the chart it writes, how it names processes, and that each baseline runs the same program in
 * the real sandbox with the same answer.
 */
class BenchInstrumentTest {

    @Test
    void busyTimeIsUserNiceSystemIrqSoftirqAndStealNotIdleIowaitOrGuest() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        assertEquals(100 + 2 + 30 + 4 + 6 + 8, MachineCpu.busyTicks("cpu  100 2 30 5000 70 4 6 8 9 1"));
        assertEquals(100 + 2 + 30 + 4 + 6, MachineCpu.busyTicks("cpu 100 2 30 5000 70 4 6"));
        assertThrows(IllegalArgumentException.class, () -> MachineCpu.busyTicks("intr 1 2 3 4 5 6 7 8"));
    }

    @Test
    void theMachineCountsBusyTimeWhileThisThreadSpins() throws Exception {
        long before = MachineCpu.busyTicks();
        long until = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < until) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        // 300 ms of one core spinning, at least 150 ms counted whatever else the machine does meanwhile
        assertTrue(MachineCpu.millis(MachineCpu.busyTicks() - before) >= 150, "spun " + x);
    }

    @Test
    void aProcessCpuIsItsOwnAndItsReapedChildrensFromTheFieldsAfterTheCommand() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        String stat = "42 (we (i) rd) S 1 1 1 0 -1 4194560 100 0 0 0 7 3 2 1 20 0 1 0 5 6 7";
        assertArrayEquals(new long[] {10, 3}, MachineCpu.processTicks(stat));
        assertNull(MachineCpu.processTicks(Long.MAX_VALUE));
    }

    @Test
    void aTreeCountsAChildThatRanAndWasReaped() throws Exception {
        ProcessHandle self = ProcessHandle.current();
        long before = MachineCpu.treeTicks(self)[1];
        Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done").start();
        long childCpu = 0;
        while (child.isAlive()) {
            childCpu = child.info().totalCpuDuration().map(d -> d.toMillis()).orElse(childCpu);
            Thread.sleep(20);
        }
        child.waitFor();
        double below = MachineCpu.millis(MachineCpu.treeTicks(self)[1] - before);
        // the child is gone: its time is in this JVM's reaped children's (at least what was seen while it ran)
        assertTrue(childCpu > 100, "the child spun " + childCpu + " ms");
        assertTrue(below >= childCpu - 20, below + " ms counted, the child used " + childCpu + " ms");
    }

    @Test
    void percentilesAreNearestRank() {
        Series s = new Series();
        for (int i = 1; i <= 100; i++) {
            s.add(101 - i);
        }
        assertEquals(50, s.pct(50));
        assertEquals(90, s.pct(90));
        assertEquals(99, s.pct(99));
        assertEquals(100, s.pct(100));
        assertEquals(3.0, Series.percentile(List.of(1.0, 2.0, 3.0), 99));
        assertTrue(Double.isNaN(new Series().pct(50)));
    }

    @Test
    void targetsAreMetOnlyWithinTheirBoundsAndNotMeasuredWithoutAFigure() {
        List<Targets.Target> met = Targets.evaluate(
                new Targets.Measured(30, 10, 8, 20, 25, 300, 30, 20, 60, 20, 2, 26, 20, 100, 1000, 1000));
        assertEquals(
                List.of(true, true, true, true, true, true),
                met.stream().map(Targets.Target::met).toList());
        List<Targets.Target> missed = Targets.evaluate(
                new Targets.Measured(30.1, 10, 8, 20, 24.9, 300, 30.1, 20, 60.1, 20, 2, 26.1, 20, 100.1, 1000.1, 1000));
        assertEquals(
                List.of(false, false, false, false, false, false),
                missed.stream().map(Targets.Target::met).toList());
        List<Targets.Target> none = Targets.evaluate(new Targets.Measured(
                Double.NaN,
                10,
                8,
                20,
                Double.NaN,
                300,
                30,
                Double.NaN,
                60,
                20,
                2,
                Double.NaN,
                20,
                100,
                Double.NaN,
                1000));
        for (Targets.Target t : none.subList(0, 5)) {
            assertNull(t.met(), t.what());
            assertEquals("not measured", t.verdict());
        }
        // a negative CPU figure (the background moved during the series) is no measurement, even at a low ratio
        assertNull(Targets.evaluate(
                        new Targets.Measured(439, -313, 8, 20, 25, 300, 30, 20, 60, 20, 2, 26, 20, 100, 1000, 1000))
                .get(0)
                .met());
        assertTrue(Targets.table(met).contains("| **met** |"));
        assertTrue(Targets.table(missed).contains("| not met |"));
    }

    @Test
    void theChartIsWellFormedSvgWithTwoBarsAndTheirFiguresPerRow() throws Exception {
        String svg = BenchChart.svg(
                "title <&>",
                "sub",
                List.of(
                        new BenchChart.Row("paced · a<b", 25, 40, 20, 30),
                        new BenchChart.Row("cold", 3000, 3500, 20, 31),
                        new BenchChart.Row("bare missing", 25, 40, Double.NaN, Double.NaN)));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc =
                factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        NodeList texts = doc.getElementsByTagName("text");
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < texts.getLength(); i++) {
            all.append(texts.item(i).getTextContent()).append('\n');
        }
        String text = all.toString();
        assertTrue(text.contains("title <&>"), text);
        assertTrue(text.contains("paced · a<b"), text);
        assertTrue(text.contains("25.0 / 40.0"), text);
        assertTrue(text.contains("20.0 / 30.0"), text);
        assertTrue(text.contains("3000 / 3500"), text);
        // the p50 ratio against bare at the right, none where the bare run is missing
        assertTrue(text.contains("1.25×\n"), text);
        assertTrue(text.contains("150.00×\n"), text);
        assertEquals(2, text.split("×", -1).length - 1, text);
        // each measured bar: a p99 rect and a p50 rect; rows: 3 x app + 2 x bare; plus background, 1 stripe, legend 2
        NodeList rects = doc.getElementsByTagName("rect");
        assertEquals(1 + 2 + 1 + (3 + 2) * 2, rects.getLength());
        // the p50 bar ends where the log axis puts p50: 3000 ms lies right of 25 ms
        double width25 = widthOf(rects, "#1f6fb4", 0);
        double width3000 = widthOf(rects, "#1f6fb4", 1);
        assertTrue(width3000 > width25 * 2, width25 + " " + width3000);
        assertEquals(BenchChart.x(25) - BenchChart.x(5), width25, 0.1);
        // a logarithmic axis: every decade equally wide
        assertEquals(BenchChart.x(100) - BenchChart.x(10), BenchChart.x(1000) - BenchChart.x(100), 0.01);
    }

    private static double widthOf(NodeList rects, String fill, int nth) {
        int seen = 0;
        // the legend's swatch comes first
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (fill.equals(e.getAttribute("fill")) && !e.getAttribute("width").equals("12")) {
                if (seen++ == nth) {
                    return Double.parseDouble(e.getAttribute("width"));
                }
            }
        }
        throw new AssertionError("no " + fill + " bar " + nth);
    }

    @Test
    void processesAreNamedByJarInterpreterOrProgram() {
        assertEquals(
                "java -jar runner.jar",
                PreloadBench.kind(List.of("/usr/lib/jvm/x/bin/java", "-Xss1m", "-jar", "/a/runner/target/runner.jar")));
        assertEquals(
                "python3 ... --serve (warm interpreter)",
                PreloadBench.kind(List.of("/usr/bin/python3", "/tmp/kcr-build/kcr_python.py", "--serve")));
        assertEquals("bwrap", PreloadBench.kind(List.of("/usr/bin/bwrap", "--unshare-all")));
        assertEquals(2048, PreloadBench.kib(List.of("Name:\tjava", "VmRSS:\t    2048 kB", "Threads: 3"), "VmRSS:"));
        assertEquals(0, PreloadBench.kib(List.of("Name:\tkthreadd"), "VmRSS:"));
    }

    @Test
    void thisProcessHasAnRssAndAPss() {
        long[] m = PreloadBench.memory(ProcessHandle.current().pid());
        assertTrue(m[0] > 10L << 20 && m[1] > 1L << 20 && m[1] <= m[0], m[0] + " " + m[1]);
        assertNull(PreloadBench.memory(Long.MAX_VALUE));
    }

    @Test
    void optionsTakeNamesAndTheOlderPositionalForm() {
        StandaloneBench.Options o = StandaloneBench.Options.parse(
                new String[] {"6", "30", "1.5", "--sustain=5", "--only=py,c", "--write-docs", "--phases=paced,cold"});
        assertEquals(6, o.pool);
        assertEquals(30, o.iterations);
        assertEquals(1.5, o.rate);
        assertEquals(5, o.sustain);
        assertEquals(List.of("py", "c"), o.only);
        assertTrue(o.writeDocs);
        assertTrue(o.phase("cold"));
        assertFalse(o.phase("files"));
        assertThrows(IllegalArgumentException.class, () -> StandaloneBench.Options.parse(new String[] {"--nope=1"}));
    }

    /** Every baseline in the real sandbox: the same answer as the service must give, the chart's PNG left behind. */
    @Test
    void eachBaselineRunsItsProgramInTheSandbox(@TempDir Path dir) throws Exception {
        Bare bare = new Bare(dir);
        for (Workload w : Workload.all()) {
            bare.run(w);
        }
        try (var files = Files.walk(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("chart.png")));
        }
        Workload wrong = new Workload(
                "x",
                "x",
                "py",
                "print(2)",
                "1\n",
                null,
                null,
                List.of(new Workload.Step(List.of("python3", "-c", "print(2)"), false)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bare.run(wrong));
        assertTrue(e.getMessage().contains("printed 2"), e.getMessage());
        Workload c = Workload.all().get(3);
        assertEquals(
                List.of(
                        "gcc -std=gnu17 -O2 -pipe -o /tmp/kcr-build/prog /tmp/kcr-build/code.c -lm",
                        "/tmp/kcr-build/prog"),
                Bare.describe(c));
        assertEquals("/tmp/matplotlib", Workload.all().get(1).env().get("MPLCONFIGDIR"));
    }
}
