package io.salesos.launcher;

import io.salesos.planner.BenchmarkRunner;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The OPTW/TOPTW benchmark: solves literature instances and writes verify.py's solution JSON. */
@Command(name = "optw", mixinStandardHelpOptions = true,
    description = {"Solve an OPTW/TOPTW benchmark instance (or every instance in a folder) with the visit planner.",
        "  salesos bench optw INSTANCE --tours M --seconds S --out FILE [--seed N]",
        "  salesos bench optw DIR [--tours 1,2,3,4] --seconds S   (prints gaps per family and m)",
        "  salesos bench optw DIR --seconds 10 --out DIR --verify PATH/verify.py   (docs/bench/optw-results.md's table,",
        "      each solution checked by the benchmark's own verifier)",
        "Travel times are truncated Euclidean (1 decimal; 2 for pr* files), as the instances' README says."})
final class BenchOptwCommand implements java.util.concurrent.Callable<Integer> {

  @Parameters(paramLabel = "INSTANCE", description = "an instance file or a folder of them")
  String instance;

  @CommandLine.Unmatched
  List<String> options = new ArrayList<>();

  @Override
  public Integer call() {
    var args = new ArrayList<String>(List.of("optw", instance));
    args.addAll(options);
    return BenchmarkRunner.run(args.toArray(String[]::new));
  }
}
