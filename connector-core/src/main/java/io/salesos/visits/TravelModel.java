package io.salesos.visits;

import io.salesos.rules.RoutingRules;

/**
 * Drive time between two points: the great-circle (haversine) distance times a road factor, at an
 * average speed, both from routing.yaml and different for urban and rural reps.
 */
public record TravelModel(RoutingRules.Travel travel) {

  static final double EARTH_KM = 6371.0088;

  public static double haversineKm(double lat1, double lng1, double lat2, double lng2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lng2 - lng1);
    double a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  /** Minutes of driving between two points. */
  public double minutes(double lat1, double lng1, double lat2, double lng2) {
    return travel.minutes(haversineKm(lat1, lng1, lat2, lng2));
  }

  /** The full matrix of drive minutes between points (computed once per rep-day). */
  public double[][] matrix(double[] lat, double[] lng) {
    int n = lat.length;
    var m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        m[i][j] = m[j][i] = minutes(lat[i], lng[i], lat[j], lng[j]);
      }
    }
    return m;
  }
}
