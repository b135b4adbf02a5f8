package io.kubecoderun.standalone.bench;

import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import java.util.List;
import java.util.Map;

/**
 * One program the bench sends to {@code POST /exec}, and the same program as bare sandboxed steps: what the runner
 * does for it without the service around it. A bare step runs in the working directory ({@code /mnt/data}) or the
 * build directory ({@code /tmp/kcr-build}, where the runner compiles), as the runner's steps do.
 *
 * @param id       short name, also the results' key
 * @param label    what the chart and tables call it
 * @param lang     the {@code /exec} language
 * @param code     the program
 * @param stdout   what it must print (a wrong answer fails the execution, it is not a latency)
 * @param output   a file the program must leave in the working directory, or null
 * @param source   for a compiled language, the file name the bare compile step reads from the build directory
 * @param steps    the bare steps
 */
record Workload(
        String id,
        String label,
        String lang,
        String code,
        String stdout,
        String output,
        String source,
        List<Step> steps) {

    /** A bare step: its command and the view it runs in ({@code /mnt/data} or the build directory). */
    record Step(List<String> command, boolean inBuildDir) {}

    static final String BUILD_VIEW = "/tmp/kcr-build";

    static final String CHART = """
            import numpy as np, pandas as pd, matplotlib.pyplot as plt
            df = pd.DataFrame({"x": np.arange(50), "y": np.sqrt(np.arange(50))})
            df.plot(x="x", y="y", figsize=(3, 2))
            plt.savefig("chart.png", dpi=72)
            print(len(df))
            """;

    static final String C_HELLO = "#include <stdio.h>\nint main(void) { puts(\"1\"); return 0; }\n";

    /** Python hello world, the chart snippet, Node and C, in that order. */
    static List<Workload> all() {
        Language c = Languages.find("c").orElseThrow();
        String cSource = "code.c";
        Map<String, String> vars =
                Map.of("src", BUILD_VIEW + "/" + cSource, "bin", BUILD_VIEW + "/prog", "build", BUILD_VIEW);
        return List.of(
                new Workload(
                        "py",
                        "Python print(1)",
                        "py",
                        "print(1)",
                        "1\n",
                        null,
                        null,
                        List.of(new Step(List.of("python3", "-c", "print(1)"), false))),
                new Workload(
                        "chart",
                        "numpy+pandas+matplotlib PNG",
                        "py",
                        CHART,
                        "50\n",
                        "chart.png",
                        null,
                        List.of(new Step(List.of("python3", "-c", CHART), false))),
                new Workload(
                        "js",
                        "Node console.log(1)",
                        "js",
                        "console.log(1)",
                        "1\n",
                        null,
                        null,
                        List.of(new Step(List.of("node", "-e", "console.log(1)"), false))),
                new Workload(
                        "c",
                        "C puts, gcc + run",
                        "c",
                        C_HELLO,
                        "1\n",
                        null,
                        cSource,
                        List.of(
                                new Step(Language.expand(c.compile(), vars), true),
                                new Step(Language.expand(c.run(), vars), false))));
    }

    /** The environment the runner gives this language's steps: the table's base and the language's own. */
    Map<String, String> env() {
        Language language = Languages.find(lang).orElseThrow();
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>(Languages.BASE_ENV);
        env.putAll(language.env());
        return env;
    }
}
