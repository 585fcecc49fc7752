package io.salesos.admin;

import io.salesos.html.Html;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Draws one rep's day as an inline SVG (no map tiles: the page must work offline): the rep's
 * accounts as grey dots, the home base as a square, planned stops as numbered circles joined in
 * visiting order from and back to the base. Coordinates are projected equirectangularly around
 * the points' own centre, which is faithful enough at metro scale.
 */
final class PlanMap {

  /** A point to draw. */
  record Point(String label, double lat, double lng) {}

  private static final int WIDTH = 560;
  private static final int HEIGHT = 380;
  private static final int PAD = 28;

  private PlanMap() {}

  static String svg(String title, Optional<Point> base, List<Point> stops, List<Point> accounts) {
    var all = new ArrayList<Point>(accounts);
    all.addAll(stops);
    base.ifPresent(all::add);
    var sb = new StringBuilder();
    sb.append("<svg class=\"plan-map\" viewBox=\"0 0 ").append(WIDTH).append(' ')
        .append(HEIGHT).append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
    sb.append("<title>").append(Html.esc(title)).append("</title>");
    sb.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" fill=\"#f4f6f8\" stroke=\"#d0d7de\"/>");
    if (all.isEmpty()) {
      sb.append("<text x=\"20\" y=\"40\" fill=\"#57606a\">no coordinates to draw</text></svg>");
      return sb.toString();
    }
    var proj = Projection.fit(all);
    // faint grid so distances read at a glance: one line every ~10 km
    sb.append(proj.grid());
    for (var a : accounts) {
      sb.append("<circle class=\"account\" cx=\"").append(f(proj.x(a))).append("\" cy=\"").append(f(proj.y(a)))
          .append("\" r=\"5\" fill=\"#8c959f\"><title>").append(Html.esc(a.label())).append("</title></circle>");
    }
    if (!stops.isEmpty()) {
      var path = new StringBuilder();
      base.ifPresent(b -> path.append(f(proj.x(b))).append(',').append(f(proj.y(b))).append(' '));
      for (var s : stops) {
        path.append(f(proj.x(s))).append(',').append(f(proj.y(s))).append(' ');
      }
      base.ifPresent(b -> path.append(f(proj.x(b))).append(',').append(f(proj.y(b))));
      sb.append("<polyline class=\"route\" points=\"").append(path.toString().trim())
          .append("\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>");
    }
    base.ifPresent(b -> sb.append("<rect class=\"base\" x=\"").append(f(proj.x(b) - 7)).append("\" y=\"").append(f(proj.y(b) - 7))
        .append("\" width=\"14\" height=\"14\" fill=\"#24292f\"><title>").append(Html.esc(b.label())).append("</title></rect>"));
    for (int i = 0; i < stops.size(); i++) {
      var s = stops.get(i);
      double x = proj.x(s);
      double y = proj.y(s);
      sb.append("<g class=\"stop\"><circle class=\"stop\" cx=\"").append(f(x)).append("\" cy=\"").append(f(y))
          .append("\" r=\"11\" fill=\"#cf222e\" stroke=\"#fff\" stroke-width=\"2\"><title>").append(i + 1).append(". ")
          .append(Html.esc(s.label())).append("</title></circle><text x=\"").append(f(x)).append("\" y=\"").append(f(y + 4))
          .append("\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"bold\" fill=\"#fff\">").append(i + 1).append("</text></g>");
    }
    sb.append(proj.scaleBar());
    sb.append("</svg>");
    return sb.toString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Equirectangular projection fitted to a set of points, keeping the aspect ratio. */
  private record Projection(double minLng, double maxLat, double scale, double offX, double offY, double cosLat) {

    static Projection fit(List<Point> points) {
      double minLat = Double.MAX_VALUE;
      double maxLat = -Double.MAX_VALUE;
      double minLng = Double.MAX_VALUE;
      double maxLng = -Double.MAX_VALUE;
      for (var p : points) {
        minLat = Math.min(minLat, p.lat());
        maxLat = Math.max(maxLat, p.lat());
        minLng = Math.min(minLng, p.lng());
        maxLng = Math.max(maxLng, p.lng());
      }
      double cos = Math.cos(Math.toRadians((minLat + maxLat) / 2));
      double w = Math.max((maxLng - minLng) * cos, 0.01);
      double h = Math.max(maxLat - minLat, 0.01);
      double scale = Math.min((WIDTH - 2 * PAD) / w, (HEIGHT - 2 * PAD) / h);
      double offX = PAD + ((WIDTH - 2 * PAD) - (maxLng - minLng) * cos * scale) / 2;
      double offY = PAD + ((HEIGHT - 2 * PAD) - (maxLat - minLat) * scale) / 2;
      return new Projection(minLng, maxLat, scale, offX, offY, cos);
    }

    double x(Point p) {
      return offX + (p.lng() - minLng) * cosLat * scale;
    }

    double y(Point p) {
      return offY + (maxLat - p.lat()) * scale;
    }

    /** Pixels per kilometre (one degree of latitude is ~111 km). */
    double pxPerKm() {
      return scale / 111.0;
    }

    String grid() {
      double step = 10 * pxPerKm();
      if (step < 12) {
        step *= 5;
      }
      var sb = new StringBuilder("<g class=\"grid\" stroke=\"#e1e6eb\" stroke-width=\"1\">");
      for (double x = step; x < WIDTH && step > 0; x += step) {
        sb.append("<line x1=\"").append(f(x)).append("\" y1=\"0\" x2=\"").append(f(x)).append("\" y2=\"").append(HEIGHT).append("\"/>");
      }
      for (double y = step; y < HEIGHT && step > 0; y += step) {
        sb.append("<line x1=\"0\" y1=\"").append(f(y)).append("\" x2=\"").append(WIDTH).append("\" y2=\"").append(f(y)).append("\"/>");
      }
      return sb.append("</g>").toString();
    }

    String scaleBar() {
      int[] choices = {1, 2, 5, 10, 20, 50, 100, 200, 500};
      int km = choices[0];
      for (int c : choices) {
        if (c * pxPerKm() <= 140) {
          km = c;
        }
      }
      double len = km * pxPerKm();
      double y = HEIGHT - 12;
      return "<g class=\"scale\"><line x1=\"12\" y1=\"" + f(y) + "\" x2=\"" + f(12 + len) + "\" y2=\"" + f(y)
          + "\" stroke=\"#24292f\" stroke-width=\"2\"/><text x=\"" + f(16 + len) + "\" y=\"" + f(y + 4)
          + "\" font-size=\"11\" fill=\"#24292f\">" + km + " km</text></g>";
    }
  }
}
