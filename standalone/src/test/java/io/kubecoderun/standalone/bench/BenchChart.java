package io.kubecoderun.standalone.bench;

import java.util.List;
import java.util.Locale;

/**
 * The bench's chart as SVG, written by hand (no library): one row per scenario and workload, the service's bar
 * beside its bare baseline's, each bar solid to p50 and lighter on to p99, on a logarithmic millisecond axis (a
 * 20 ms execution and a 3 s cold start on one chart).
 */
final class BenchChart {
    /** One row: a label and the two latencies in milliseconds (NaN: not measured). */
    record Row(String label, double appP50, double appP99, double bareP50, double bareP99) {}

    private static final int LABEL_WIDTH = 300;
    private static final int PLOT_WIDTH = 560;
    private static final int RATIO_WIDTH = 110;
    private static final int ROW_HEIGHT = 34;
    private static final int TOP = 64;
    private static final double MIN_MS = 5;
    private static final double MAX_MS = 10_000;

    private BenchChart() {}

    static String svg(String title, String subtitle, List<Row> rows) {
        int height = TOP + rows.size() * ROW_HEIGHT + 60;
        int width = LABEL_WIDTH + PLOT_WIDTH + RATIO_WIDTH;
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                width,
                height,
                width,
                height));
        s.append(String.format(
                Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        text(s, 10, 20, 15, "bold", title);
        text(s, 10, 38, 11, "normal", subtitle);
        legend(s, LABEL_WIDTH, 52);
        double[] ticks = {5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};
        int plotBottom = TOP + rows.size() * ROW_HEIGHT;
        for (double tick : ticks) {
            double x = x(tick);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>%n",
                    x,
                    TOP - 4,
                    x,
                    plotBottom));
            String label = tick >= 1000 ? (int) (tick / 1000) + " s" : (int) tick + " ms";
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555555\">%s</text>%n",
                    x,
                    plotBottom + 16,
                    label));
        }
        text(s, LABEL_WIDTH, plotBottom + 36, 11, "normal", "latency, logarithmic: solid to p50, light to p99");
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">p50 against bare</text>%n",
                width - 10,
                TOP - 8));
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            int y = TOP + i * ROW_HEIGHT;
            if (i % 2 == 1) {
                s.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>%n",
                        y,
                        width,
                        ROW_HEIGHT));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    LABEL_WIDTH - 8,
                    y + 21,
                    escape(row.label())));
            if (!Double.isNaN(row.appP50() / row.bareP50())) {
                s.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-weight=\"bold\">%.2f×</text>%n",
                        width - 10,
                        y + 21,
                        row.appP50() / row.bareP50()));
            }
            bar(s, y + 5, row.appP50(), row.appP99(), "#1f6fb4", "#9cc3e6");
            bar(s, y + 19, row.bareP50(), row.bareP99(), "#777777", "#cccccc");
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void bar(StringBuilder s, int y, double p50, double p99, String solid, String light) {
        if (Double.isNaN(p50)) {
            return;
        }
        double x0 = x(MIN_MS);
        if (!Double.isNaN(p99) && p99 > p50) {
            s.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>%n",
                    x0,
                    y,
                    x(p99) - x0,
                    light));
        }
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>%n",
                x0,
                y,
                Math.max(1, x(p50) - x0),
                solid));
        double end = Double.isNaN(p99) ? x(p50) : Math.max(x(p50), x(p99));
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#333333\">%s</text>%n",
                end + 4,
                y + 9,
                Double.isNaN(p99) ? ms(p50) : ms(p50) + " / " + ms(p99)));
    }

    private static void legend(StringBuilder s, int x, int y) {
        s.append(String.format(
                Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#1f6fb4\"/>%n", x, y - 9));
        text(s, x + 16, y, 11, "normal", "POST /exec through the standalone app (p50 / p99 ms)");
        s.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#777777\"/>%n",
                x + 330,
                y - 9));
        text(s, x + 346, y, 11, "normal", "bare sandboxed process, same run");
    }

    private static void text(StringBuilder s, int x, int y, int size, String weight, String text) {
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
                x,
                y,
                size,
                weight,
                escape(text)));
    }

    /** The x of a latency on the log axis, clamped to the axis. */
    static double x(double ms) {
        double clamped = Math.max(MIN_MS, Math.min(MAX_MS, ms));
        return LABEL_WIDTH + PLOT_WIDTH * Math.log(clamped / MIN_MS) / Math.log(MAX_MS / MIN_MS);
    }

    private static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
