package dev.mcpwarden.gateway;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** stdio upstreams for the tests: a server main of these test classes, run as a child JVM on this class path. */
final class TestUpstreams {

    private TestUpstreams() {
    }

    /** An upstream {@code name} running {@code main} over stdio in {@code sandbox}. */
    static UpstreamConfig java(String name, Class<?> main, UpstreamConfig.Sandbox sandbox) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return UpstreamConfig.of(name, new UpstreamConfig.Stdio(List.of(java, "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), main.getName()), Map.of(), Optional.empty(), sandbox));
    }

    /** The test class path's entries: what a sandboxed test server must be granted to start. */
    static List<Path> classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
    }
}
