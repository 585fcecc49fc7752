package io.salesos.launcher;

import io.salesos.cli.Home;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the evaluation and reconcile of N synthetic deals, in memory, in a JVM of its own whose
 * heap is capped ({@code --heap}, 512m by default): the cap is part of what is measured.
 */
@Command(name = "rules", mixinStandardHelpOptions = true,
    description = "Time the evaluation and reconcile of N deals with the rule set (median of 3, after warm-up), one partition"
        + " of about 1,000 deals at a time, in a JVM capped at --heap; with --compare also the whole org at once (the old way).")
final class BenchRulesCommand implements Runnable {

  @Option(names = "--deals", description = "deals to evaluate (default: ${DEFAULT-VALUE})")
  int deals = 100_000;

  @Option(names = "--rules", description = "the rules folder (default: rules/ under SALESOS_HOME)")
  Path rules;

  @Option(names = "--heap", description = "the measuring JVM's -Xmx (default: ${DEFAULT-VALUE})")
  String heap = "512m";

  @Option(names = "--compare", description = "also evaluate the whole org at once, as before partitions, under the same heap")
  boolean compare;

  @Override
  public void run() {
    if (!heap.matches("[1-9][0-9]*[mMgG]")) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--heap takes a size such as 512m or 2g, got '" + heap + "'");
    }
    var dir = rules != null ? rules : Home.dir().resolve("rules");
    var partitioned = measure("partitioned", dir);
    partitioned.ifPresent(r -> System.out.printf("median %.2f s wall, %.2f s CPU for %d deals (%d flagged, %d tasks, %d changes, digest %s),"
        + " peak heap used %d MB, live after GC %d MB, under -Xmx%s%n", Double.parseDouble(r.get("median")),
        Double.parseDouble(r.get("cpu")), Long.parseLong(r.get("deals")), Long.parseLong(r.get("flagged")), Long.parseLong(r.get("tasks")),
        Long.parseLong(r.get("changes")), r.get("digest"), Long.parseLong(r.get("peak")) >> 20, Long.parseLong(r.get("live")) >> 20,
        heap));
    if (compare) {
      var whole = measure("whole", dir);
      if (whole.isEmpty()) {
        System.out.printf("whole org at once: did not complete under -Xmx%s%n", heap);
      } else if (partitioned.isPresent()) {
        var p = partitioned.get();
        var w = whole.get();
        System.out.printf("whole org at once: median %.2f s, peak heap used %d MB, live after GC %d MB;"
            + " partitioned/whole: time x%.2f, peak heap x%.2f, live x%.2f%n",
            Double.parseDouble(w.get("median")), Long.parseLong(w.get("peak")) >> 20, Long.parseLong(w.get("live")) >> 20,
            Double.parseDouble(p.get("median")) / Double.parseDouble(w.get("median")),
            (double) Long.parseLong(p.get("peak")) / Long.parseLong(w.get("peak")),
            (double) Long.parseLong(p.get("live")) / Math.max(1, Long.parseLong(w.get("live"))));
      }
    }
    if (partitioned.isEmpty()) {
      throw new IllegalStateException("the partitioned benchmark did not complete under -Xmx" + heap + " (its output is above)");
    }
  }

  /** Runs one measurement in a child JVM with the heap cap; its figures, or empty when it failed (out of memory...). */
  private Optional<Map<String, String>> measure(String mode, Path dir) {
    var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var cmd = new ArrayList<String>(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-XX:ActiveProcessorCount")).toList());
    cmd.add(0, javaBin);
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RulesBenchmark.class.getName());
    cmd.add(Integer.toString(deals));
    cmd.add(dir.toString());
    cmd.add(mode);
    try {
      var process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Map<String, String> result = null;
      try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("bench-result ")) {
            result = new HashMap<>();
            for (var kv : line.substring("bench-result ".length()).split(" ")) {
              var at = kv.indexOf('=');
              result.put(kv.substring(0, at), kv.substring(at + 1));
            }
          } else {
            System.out.println(line);
          }
        }
      }
      int exit = process.waitFor();
      if (exit != 0) {
        System.out.printf("bench rules: the %s measurement exited with %d under -Xmx%s%n", mode, exit, heap);
        return Optional.empty();
      }
      return Optional.ofNullable(result);
    } catch (IOException e) {
      throw new IllegalStateException("could not start the measuring JVM (" + javaBin + "): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while benchmarking", e);
    }
  }
}
