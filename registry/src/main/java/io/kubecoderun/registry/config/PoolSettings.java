package io.kubecoderun.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The pools as configured (original KubeCodeRun names), read here once for the controller, which keeps them
 * filled, the exec function, which sends an exhausted pool's requests through Jobs, and the health function,
 * which shows the targets before the controller's first report. Warm pods by default for the three languages agents
 * use most (Python, JavaScript, and bash, which LibreChat's bash tool sends and from which agents call every other
 * toolchain); every other language goes through Jobs.
 */
@ConfigMapping(prefix = "")
public interface PoolSettings {

    /** Where sandboxes come from: pods on Kubernetes, or runner processes on this machine. */
    enum Platform {
        KUBERNETES,
        LOCAL
    }

    @WithName("KCR_PLATFORM")
    @WithDefault("kubernetes")
    Platform platform();

    /** {@code false}: no warm pools at all, every language through Jobs. */
    @WithName("POD_POOL_ENABLED")
    @WithDefault("true")
    @WithConverter(StrictBoolean.class)
    boolean enabled();

    /** An exhausted pool's requests go through a Job rather than waiting for a warm pod. */
    @WithName("POD_POOL_EXHAUSTION_TRIGGER")
    @WithDefault("true")
    @WithConverter(StrictBoolean.class)
    boolean jobOnExhaustion();

    @WithName("POD_POOL_PY")
    @WithDefault("5")
    int py();

    @WithName("POD_POOL_JS")
    @WithDefault("2")
    int js();

    @WithName("POD_POOL_TS")
    @WithDefault("0")
    int ts();

    @WithName("POD_POOL_GO")
    @WithDefault("0")
    int go();

    @WithName("POD_POOL_JAVA")
    @WithDefault("0")
    int java();

    @WithName("POD_POOL_C")
    @WithDefault("0")
    int c();

    @WithName("POD_POOL_CPP")
    @WithDefault("0")
    int cpp();

    @WithName("POD_POOL_PHP")
    @WithDefault("0")
    int php();

    @WithName("POD_POOL_RS")
    @WithDefault("0")
    int rs();

    @WithName("POD_POOL_R")
    @WithDefault("0")
    int r();

    @WithName("POD_POOL_F90")
    @WithDefault("0")
    int f90();

    @WithName("POD_POOL_D")
    @WithDefault("0")
    int d();

    /** LibreChat's bash tool (agents run most code through it, every toolchain from one shell). */
    @WithName("POD_POOL_BASH")
    @WithDefault("2")
    int bash();

    /**
     * Warm pods wanted for {@code language} (a language id of the runner's table), 0 with the pools switched off.
     * A size outside 0..{@value #MAX_TARGET} is refused by the controller at start.
     */
    default int target(String language) {
        if (!enabled()) {
            return 0;
        }
        return PerLanguage.pick(
                "POD_POOL", language, py(), js(), ts(), go(), java(), c(), cpp(), php(), rs(), r(), f90(), d(), bash());
    }

    /** The largest pool a language may ask for. */
    int MAX_TARGET = 500;
}
