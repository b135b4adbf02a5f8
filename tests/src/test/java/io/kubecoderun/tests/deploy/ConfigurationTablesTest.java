package io.kubecoderun.tests.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.ControllerConfig;
import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.config.ObjectStoreNames;
import io.kubecoderun.core.config.ObjectStoreSettings;
import io.kubecoderun.registry.config.PoolSettings;
import io.kubecoderun.registry.config.RedisNames;
import io.kubecoderun.registry.config.RedisSettings;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of the READMEs against the code that reads the settings: every variable a mapping
 * reads is in a table with the mapping's default, and every variable a table names is read by a mapping, by one
 * of the two interceptors that feed the Redis and S3 extensions, or by a property expression in an app's
 * properties. A setting added, renamed or re-defaulted in one place only fails here.
 */
class ConfigurationTablesTest {
    private static final Path ROOT =
            Path.of(System.getProperty("kcr.root", "..")).toAbsolutePath().normalize();
    private static final List<Class<?>> MAPPINGS = List.of(
            KcrSettings.class,
            ObjectStoreSettings.class,
            RedisSettings.class,
            PoolSettings.class,
            ControllerConfig.class);
    /** The README tables that document settings: the functions', the registry's and the controller's. */
    private static final List<Path> TABLES = List.of(
            ROOT.resolve("README.md"), ROOT.resolve("registry/README.md"), ROOT.resolve("pool-controller/README.md"));

    private static final Pattern NAME = Pattern.compile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9<>]+)+|PORT)`");
    private static final Pattern VALUE = Pattern.compile("`([^`]*)`|—");

    private record Row(Path file, List<String> names, List<String> defaults) {}

    /** Every name a mapping reads, with its default (null: none), groups included. */
    private static Map<String, String> mapped() {
        Map<String, String> names = new LinkedHashMap<>();
        for (Class<?> mapping : MAPPINGS) {
            collect(mapping, names);
        }
        return names;
    }

    private static void collect(Class<?> type, Map<String, String> names) {
        for (Method method : type.getMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            if (method.isAnnotationPresent(WithParentName.class)) {
                collect(method.getReturnType(), names);
                continue;
            }
            WithName name = method.getAnnotation(WithName.class);
            if (name != null && !name.value().startsWith("quarkus.")) { // an extension's own, fed by an interceptor
                WithDefault fallback = method.getAnnotation(WithDefault.class);
                names.put(name.value(), fallback == null ? null : fallback.value());
            }
        }
    }

    private static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Path file : TABLES) {
            for (String line : Files.readAllLines(file)) {
                if (!line.startsWith("| `")) {
                    continue;
                }
                String[] cells = line.split("\\|");
                List<String> names = new ArrayList<>();
                Matcher m = NAME.matcher(cells[1]);
                while (m.find()) {
                    names.add(m.group(1));
                }
                List<String> defaults = new ArrayList<>();
                Matcher v = VALUE.matcher(cells[2]);
                while (v.find()) {
                    defaults.add(v.group(1));
                }
                if (!names.isEmpty()) {
                    rows.add(new Row(file, names, defaults));
                }
            }
        }
        return rows;
    }

    /** {@code POD_POOL_<LANG>} in a table stands for every language's variable of that family. */
    private static boolean covers(String documented, String name) {
        int family = documented.indexOf('<');
        return family < 0
                ? documented.equals(name)
                : name.startsWith(documented.substring(0, family)) && name.length() > family;
    }

    /**
     * The names read through a property expression ({@code ${NAME:default}}): in an app's properties files, or in
     * an annotation that takes one (a schedule).
     */
    private static Set<String> expressionNames() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern expression = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().contains("/src/main/")
                            && !f.toString().contains("/target/")
                            && (f.toString().endsWith(".properties")
                                    || f.toString().endsWith(".java")))
                    .toList()) {
                Matcher m = expression.matcher(Files.readString(file));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void everyMappedSettingIsDocumentedWithItsDefault() throws IOException {
        List<Row> rows = rows();
        List<String> problems = new ArrayList<>();
        mapped().forEach((name, fallback) -> {
            List<Row> exact =
                    rows.stream().filter(r -> r.names().contains(name)).toList();
            List<Row> documenting = !exact.isEmpty()
                    ? exact
                    : rows.stream()
                            .filter(r -> r.names().stream().anyMatch(d -> covers(d, name)))
                            .toList();
            if (documenting.isEmpty()) {
                problems.add(name + " is read but in no configuration table");
            }
            for (Row row : documenting) {
                if (fallback == null || row.defaults().isEmpty()) {
                    continue; // no default in the mapping (the code derives one), or a row that points elsewhere
                }
                int at = 0;
                for (int i = 0; i < row.names().size(); i++) {
                    if (covers(row.names().get(i), name)) {
                        at = i;
                        break;
                    }
                }
                String documented =
                        row.defaults().get(Math.min(at, row.defaults().size() - 1));
                String expected = fallback.replace("${user.home}", "~");
                if (!expected.equals(documented)) {
                    problems.add(name + ": " + ROOT.relativize(row.file()) + " says " + documented
                            + ", the mapping's default is " + expected);
                }
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void everyDocumentedSettingIsReadBySomething() throws IOException {
        Map<String, String> mapped = mapped();
        Set<String> expressions = expressionNames();
        Set<String> intercepted = new TreeSet<>(RedisNames.READS);
        intercepted.addAll(ObjectStoreNames.READS);
        List<String> problems = new ArrayList<>();
        for (Row row : rows()) {
            for (String name : row.names()) {
                boolean read = name.contains("<")
                        ? mapped.keySet().stream().anyMatch(m -> covers(name, m))
                        : mapped.containsKey(name)
                                || intercepted.contains(name)
                                || expressions.contains(name)
                                || name.startsWith("RUNNER_");
                if (!read) {
                    problems.add(name + " (" + ROOT.relativize(row.file()) + ") is documented but nothing reads it");
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(
                expressions.containsAll(List.of("API_PORT", "PORT", "MAX_UPLOAD_BODY_MB")),
                "the apps' own expressions are found: " + expressions);
        assertEquals(
                Optional.empty(),
                mapped.keySet().stream().filter(n -> !n.equals(n.strip())).findAny());
    }
}
