package io.salesos.planner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Command-line benchmark on OPTW/TOPTW instances: one file, or a whole directory summarised per family and m.
 *
 * <pre>
 * [bench] optw INSTANCE_FILE --tours M --seconds S --out FILE [--seed N] [--iterations N] [--exact]
 * [bench] optw DIRECTORY [--tours 1,2,3,4] --seconds S [--out DIR] [--seed N] [--iterations N] [--exact]
 * </pre>
 */
public final class BenchmarkRunner {

    private static final String USAGE = "usage: bench optw INSTANCE_FILE|DIR [--tours M[,M...]] [--seconds S] "
            + "[--iterations N] [--out FILE|DIR] [--seed N] [--exact] [--verify PATH/verify.py]";

    private final PrintStream out;
    private final Map<String, ReferenceScore> references = ReferenceScore.loadTable();

    BenchmarkRunner(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the benchmark command; returns a process exit code (0 ok, 2 usage error, 3 I/O error). */
    public static int run(String[] args) {
        return new BenchmarkRunner(System.out).execute(args);
    }

    /** One solved run, as reported in the summary table. */
    record RunRecord(String instance, int tours, long score, double secondsToBest, long iterations,
                     Optional<ReferenceScore> reference) {
    }

    int execute(String[] args) {
        List<String> a = new ArrayList<>(List.of(args));
        if (!a.isEmpty() && a.get(0).equals("bench")) {
            a.remove(0);
        }
        if (a.size() < 2 || !a.get(0).equals("optw")) {
            System.err.println(USAGE);
            return 2;
        }
        Path target = Path.of(a.get(1));
        List<Integer> tours = List.of(1);
        double seconds = Double.NaN;
        long iterations = Long.MAX_VALUE;
        long seed = 1;
        Path output = null;
        boolean exact = false;
        Path verifier = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        boolean directory = Files.isDirectory(target);
        if (directory) {
            tours = List.of(1, 2, 3, 4);
        }
        try {
            for (int i = 2; i < a.size(); i++) {
                String opt = a.get(i);
                switch (opt) {
                    case "--tours" -> tours = Stream.of(a.get(++i).split(",")).map(Integer::parseInt).toList();
                    case "--seconds" -> seconds = Double.parseDouble(a.get(++i));
                    case "--iterations" -> iterations = Long.parseLong(a.get(++i));
                    case "--seed" -> seed = Long.parseLong(a.get(++i));
                    case "--out" -> output = Path.of(a.get(++i));
                    case "--exact" -> exact = true;
                    case "--verify" -> verifier = Path.of(a.get(++i));
                    case "--param" -> {
                        String[] kv = a.get(++i).split("=", 2);
                        overrides.put(kv[0], kv[1]);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + opt);
                }
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage() == null ? USAGE : e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (Double.isNaN(seconds)) {
            // Without --seconds an iteration budget runs to the end; with neither, 10 s as in the literature.
            seconds = iterations != Long.MAX_VALUE ? Double.POSITIVE_INFINITY : 10;
        }
        if (verifier != null && (output == null || !directory)) {
            System.err.println("--verify checks the solution files of a folder run: give a folder and --out DIR\n" + USAGE);
            return 2;
        }
        SolverSettings settings = new SolverSettings(seed, iterations, seconds);
        SearchParameters params = SearchParameters.defaults().with(overrides);
        try {
            if (!directory) {
                RunRecord r = solveOne(target, tours.get(0), settings, params, exact, output);
                return r == null ? 3 : 0;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(target)) {
                files = s.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
            }
            if (output != null) {
                Files.createDirectories(output);
            }
            List<RunRecord> records = new ArrayList<>();
            int checked = 0;
            int failures = 0;
            for (Path file : files) {
                for (int m : tours) {
                    String name = stripTxt(file);
                    Path json = output == null ? null : output.resolve(name + "_m" + m + ".json");
                    records.add(solveOne(file, m, settings, params, exact, json));
                    if (verifier != null) {
                        checked++;
                        failures += verify(verifier, file, json, m) ? 0 : 1;
                    }
                }
            }
            out.print(summaryTable(records));
            if (verifier != null) {
                out.printf(Locale.ROOT, "verify.py: %d solution files checked, %d failures%n", checked, failures);
            }
            return failures == 0 ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("error: " + e);
            return 3;
        }
    }

    private RunRecord solveOne(Path file, int m, SolverSettings settings, SearchParameters params, boolean exact,
                               Path json) throws IOException {
        OptwInstance instance = OptwInstance.parse(file, exact);
        SolveResult result = new VisitPlanner(instance.toProblem(m), settings, params).solve();
        Plan plan = result.plan();
        if (json != null) {
            Files.writeString(json, toJson(instance.name(), m, plan), StandardCharsets.UTF_8);
        }
        Optional<ReferenceScore> ref = ReferenceScore.lookup(references, instance.name(), m);
        String gap = ref.map(r -> String.format(Locale.ROOT, "gap=%.2f%% (%s %d)", r.gapPercent(plan.score()), r.kind(), r.score()))
                .orElse("gap=n/a");
        out.printf(Locale.ROOT, "%s m=%d score=%d seconds_to_best=%.2f %s iterations=%d%n",
                instance.name(), m, plan.score(), result.secondsToBest(), gap, result.iterations());
        out.flush();
        return new RunRecord(instance.name(), m, plan.score(), result.secondsToBest(), result.iterations(), ref);
    }

    /**
     * Checks one solution with the benchmark's independent verifier ({@code python3 verify.py INSTANCE
     * SOLUTION --m M}); its own lines are printed as they come, its exit code decides.
     */
    private boolean verify(Path verifier, Path instance, Path solution, int m) throws IOException {
        var process = new ProcessBuilder("python3", verifier.toString(), instance.toString(), solution.toString(), "--m",
                Integer.toString(m)).redirectErrorStream(true).start();
        var text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int code = process.waitFor();
            if (code != 0) {
                out.printf(Locale.ROOT, "verify.py FAILED %s m=%d: %s%n", instance.getFileName(), m, text.strip());
            }
            return code == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while verifying " + solution, e);
        }
    }

    /** The verify.py solution JSON; hand-written since it only holds ints. */
    static String toJson(String instance, int m, Plan plan) {
        String tours = plan.customerIds().stream()
                .map(t -> t.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]")))
                .collect(Collectors.joining(", ", "[", "]"));
        return "{\"instance\": \"" + instance.replace("\\", "\\\\").replace("\"", "\\\"") + "\", \"m\": " + m
                + ", \"tours\": " + tours + ", \"score\": " + plan.score() + "}\n";
    }

    static String family(String instance) {
        String name = instance.toLowerCase(Locale.ROOT);
        String prefix = "";
        int us = name.lastIndexOf('_');
        if (us >= 0) {
            prefix = name.substring(0, us + 1);
            name = name.substring(us + 1);
        }
        if (name.startsWith("pr") && name.length() >= 4) {
            int number = Integer.parseInt(name.substring(2, 4));
            return prefix + (number <= 10 ? "pr01-10" : "pr11-20");
        }
        int digit = 0;
        while (digit < name.length() && !Character.isDigit(name.charAt(digit))) {
            digit++;
        }
        return prefix + name.substring(0, Math.min(name.length(), digit + 1));
    }

    /**
     * The table docs/bench/optw-results.md shows: gap to the reference per family and m, the kinds of
     * reference, median seconds to the final best and median iterations; then the average gap per m,
     * overall, and against proven-optimal and best-known values only.
     */
    static String summaryTable(List<RunRecord> records) {
        Map<String, Map<Integer, List<RunRecord>>> groups = new TreeMap<>(Comparator.comparing(BenchmarkRunner::familyOrder));
        for (RunRecord r : records) {
            groups.computeIfAbsent(family(r.instance()), f -> new TreeMap<>()).computeIfAbsent(r.tours(), m -> new ArrayList<>()).add(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| family | m | runs | avg gap % | worst gap % | reference kinds | median s to final best | median iterations |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n");
        for (var family : groups.entrySet()) {
            for (var byM : family.getValue().entrySet()) {
                List<RunRecord> rs = byM.getValue();
                List<Double> gaps = gaps(rs, kind -> true);
                String kinds = rs.stream().flatMap(r -> r.reference().stream()).collect(Collectors.groupingBy(
                        ReferenceScore::kind, TreeMap::new, Collectors.counting())).entrySet().stream()
                        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
                double avg = gaps.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                double worst = gaps.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.2f | %s | %.2f | %.0f |%n",
                        family.getKey(), byM.getKey(), rs.size(), avg, worst, kinds.isEmpty() ? "none" : kinds,
                        median(rs.stream().mapToDouble(RunRecord::secondsToBest).toArray()),
                        median(rs.stream().mapToDouble(RunRecord::iterations).toArray())));
            }
        }
        sb.append("\n");
        var byTours = new TreeMap<Integer, List<RunRecord>>();
        records.forEach(r -> byTours.computeIfAbsent(r.tours(), m -> new ArrayList<>()).add(r));
        byTours.forEach((m, rs) -> sb.append(averageLine("m=" + m + ": average gap", gaps(rs, kind -> true))));
        sb.append(averageLine("overall average gap:", gaps(records, kind -> true)));
        sb.append(averageLine("average gap to opt/bks values only:", gaps(records, kind -> kind.equals("opt") || kind.equals("bks"))));
        return sb.toString();
    }

    private static List<Double> gaps(List<RunRecord> rs, Predicate<String> kinds) {
        return rs.stream().filter(r -> r.reference().map(ReferenceScore::kind).filter(kinds).isPresent())
                .map(r -> r.reference().get().gapPercent(r.score())).toList();
    }

    private static String averageLine(String label, List<Double> gaps) {
        return String.format(Locale.ROOT, "%s %.2f%% over %d runs%n", label,
                gaps.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), gaps.size());
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        var v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String familyOrder(String family) {
        List<String> order = List.of("c1", "r1", "rc1", "c2", "r2", "rc2", "pr01-10", "pr11-20");
        int i = order.indexOf(family);
        return (i < 0 ? "9" + family : i + family);
    }

    private static String stripTxt(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".txt") ? n.substring(0, n.length() - 4) : n;
    }
}
