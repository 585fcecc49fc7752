package io.salesos.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs the solver on real benchmark files and lets the shared verify.py judge the result. */
class BenchmarkAcceptanceTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"c101, 320", "r101, 198", "rc101, 219"})
    void singleTourWithinFivePercentOfOptimumAndVerified(String name, long optimum) throws Exception {
        Path bench = benchDir();
        assumeTrue(bench != null, "benchmark folder not found (set -Doptw.bench.dir or OPTW_BENCH_DIR, or place it at "
                + "/work/shared/bench/optw or ../shared/bench/optw): skipping");
        Path file = bench.resolve("instances").resolve(name + ".txt");
        assumeTrue(Files.isRegularFile(file), "instance " + file + " missing: skipping");

        OptwInstance instance = OptwInstance.parse(file);
        SolveResult result = VisitPlanner.solve(instance.toProblem(1), SolverSettings.seconds(1, 2));
        Path json = tmp.resolve(name + ".json");
        Files.writeString(json, BenchmarkRunner.toJson(name, 1, result.plan()), StandardCharsets.UTF_8);

        List<String> verdict = verify(bench.resolve("verify.py"), file, json);
        assertThat(verdict).as("verify.py output").anySatisfy(line -> assertThat(line).startsWith("feasible"));
        assertThat(result.plan().score()).isGreaterThanOrEqualTo((long) Math.ceil(0.95 * optimum));
    }

    private static List<String> verify(Path script, Path instance, Path json) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("python3", script.toString(), instance.toString(), json.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "python3 not available to run verify.py: " + e.getMessage());
            throw e;
        }
        List<String> lines = new ArrayList<>(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        lines.add("exit=" + process.exitValue());
        assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }

    private static Path benchDir() {
        List<String> candidates = new ArrayList<>();
        String property = System.getProperty("optw.bench.dir");
        if (property != null) {
            candidates.add(property);
        }
        String env = System.getenv("OPTW_BENCH_DIR");
        if (env != null) {
            candidates.add(env);
        }
        candidates.add("/work/shared/bench/optw");
        candidates.add("../shared/bench/optw");
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p.resolve("verify.py")) && Files.isDirectory(p.resolve("instances"))) {
                return p;
            }
        }
        return null;
    }
}
