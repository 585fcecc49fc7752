package io.salesos.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class OptwInstanceTest {

    private static final String SMALL = "4 1 2 1\r\n0 200\r\n"
            + "  0 0.00 0.00 0.00 0.00 0 0 0 100\r\n"
            + "  1 3.00 4.04 5.00 10.00 1 1 1 0 50\r\n"
            + "  2 1.00 1.00 0.00 7.00 1 2 3 4 10 20";

    @Test
    void parsesCrlfWithoutFinalNewlineAndVariableListLength() {
        OptwInstance inst = OptwInstance.parse("c999", SMALL, false);

        assertThat(inst.customerCount()).isEqualTo(2);
        assertThat(inst.tmax()).isEqualTo(100);
        assertThat(inst.nodes().get(1).score()).isEqualTo(10);
        assertThat(inst.nodes().get(2).open()).isEqualTo(10);
        assertThat(inst.nodes().get(2).close()).isEqualTo(20);
        assertThat(inst.nodes().get(1).serviceTime()).isEqualTo(5);
    }

    @Test
    void headerSplitOverTwoLinesIsAccepted() {
        String split = "4\n1 2 1 0 200\n" + SMALL.substring(SMALL.indexOf("  0 "));

        assertThat(OptwInstance.parse("c999", split, false).customerCount()).isEqualTo(2);
    }

    @Test
    void truncationFollowsTheFileName() {
        // Distance 0 -> 1 is sqrt(9 + 16.3216) = 5.03205...
        assertThat(OptwInstance.parse("c999", SMALL, false).travelTimes().time(0, 1)).isEqualTo(5.0);
        assertThat(OptwInstance.parse("pr99", SMALL, false).travelTimes().time(0, 1)).isEqualTo(5.03);
        assertThat(OptwInstance.parse("c999", SMALL, true).travelTimes().time(0, 1)).isCloseTo(5.03205, within(1e-5));
        assertThat(OptwInstance.parse("pr99", SMALL, false).ticksPerUnit()).isEqualTo(100);
    }

    @Test
    void writesTheVerifierJson() {
        Plan plan = new Plan(java.util.List.of(
                new PlannedTour(java.util.List.of(), java.util.List.of(new PlannedVisit(5, 1, 2, false), new PlannedVisit(3, 4, 5, false)), 9),
                new PlannedTour(java.util.List.of(), java.util.List.of(), 0)), 42);

        assertThat(BenchmarkRunner.toJson("c101", 2, plan))
                .isEqualTo("{\"instance\": \"c101\", \"m\": 2, \"tours\": [[5, 3], []], \"score\": 42}\n");
        assertThat(BenchmarkRunner.family("rc204")).isEqualTo("rc2");
        assertThat(BenchmarkRunner.family("pr11")).isEqualTo("pr11-20");
        assertThat(BenchmarkRunner.family("50_c101")).isEqualTo("50_c1");
    }

    @Test
    void theSummaryTableGivesGapsPerFamilyAndMAndAveragesAgainstOptAndBksApart() {
        var records = java.util.List.of(
                new BenchmarkRunner.RunRecord("c101", 1, 320, 0.5, 1000, java.util.Optional.of(new ReferenceScore("c101", 1, 320, "opt"))),
                new BenchmarkRunner.RunRecord("c102", 1, 330, 1.5, 3000, java.util.Optional.of(new ReferenceScore("c102", 1, 300, "ref"))));

        var table = BenchmarkRunner.summaryTable(records);

        assertThat(table).contains("| c1 | 1 | 2 | -5.00 | 0.00 | 1 opt, 1 ref | 1.00 | 2000 |")
                .contains("m=1: average gap -5.00% over 2 runs")
                .contains("overall average gap: -5.00% over 2 runs")
                .contains("average gap to opt/bks values only: 0.00% over 1 runs");
    }
}
