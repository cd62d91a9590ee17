#include "search/datasets/nuclei.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>

#include "common/error.hpp"

namespace nasaic {
namespace {

// Bumped whenever the same options would generate different bytes, so cached
// results trained on the old data no longer match.
constexpr const char* kVersion = "nuclei-v1";

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// ln and exp from +, ×, ÷ and exact scaling only: libm's may differ in the
// last bit between platforms, these do not.
double portable_log(double x) {
  int exponent = 0;
  double m = std::frexp(x, &exponent);  // x = m·2^e, m in [0.5, 1)
  if (m < 0.70710678118654752) {
    m *= 2;
    --exponent;
  }
  // ln m = 2·atanh(s), |s| < 0.172: the series to s^15 is good to 1e-14,
  // far below what noise needs.
  static constexpr double kInverseOdd[] = {1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1.0};
  const double s = (m - 1) / (m + 1), s2 = s * s;
  double sum = 0;
  for (const double c : kInverseOdd) sum = sum * s2 + c;
  return 2 * s * sum + exponent * 0.69314718055994531;
}

double portable_exp(double x) {
  // e^x = 2^k · e^r with |r| ≤ ln2 / 2; Taylor to r^16 is exact to 1e-17.
  const double k = std::nearbyint(x * 1.4426950408889634);
  const double r = x - k * 0.69314718055994531;
  double sum = 1;
  for (int n = 16; n >= 1; --n) sum = 1 + sum * r / n;
  return std::ldexp(sum, static_cast<int>(k));
}

// Uniform, integer, normal and direction draws defined here rather than by
// <random>'s distributions, whose algorithms each standard library chooses.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // [0, 1) from the top 53 bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // [low, high], both included.
  std::int64_t integer(std::int64_t low, std::int64_t high) {
    const auto span = static_cast<double>(high - low + 1);
    return std::min(high, low + static_cast<std::int64_t>(uniform() * span));
  }
  // Standard normal by Box–Muller's polar form, keeping the second value.
  // Both coordinates come from one draw (32 bits each, plenty for noise):
  // the noise is most of the draws.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0, v = 0, s = 0;
    do {
      const std::uint64_t bits = engine_();
      u = static_cast<double>(bits >> 32) * 0x1.0p-31 - 1;
      v = static_cast<double>(bits & 0xffffffffu) * 0x1.0p-31 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double factor = std::sqrt(-2 * portable_log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }
  // A uniformly random unit vector, by rejection from the square (no sin/cos).
  void direction(double& x, double& y) {
    double s = 0;
    do {
      x = uniform(-1, 1);
      y = uniform(-1, 1);
      s = x * x + y * y;
    } while (s > 1 || s < 1e-4);
    const double norm = std::sqrt(s);
    x /= norm;
    y /= norm;
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Squared elliptic radius of (x, y): ≤ 1 inside. The mask and the drawing
// both use it, so they agree on every pixel.
double radius2(const Ellipse& e, double x, double y) {
  const double dx = x - e.cx, dy = y - e.cy;
  const double p = (dx * e.ux + dy * e.uy) / e.a;
  const double q = (dy * e.ux - dx * e.uy) / e.b;
  return p * p + q * q;
}

struct Box {
  std::int64_t x0, x1, y0, y1;  // pixels [x0, x1) × [y0, y1)
};

// Pixels whose centres may lie within `reach_x`, `reach_y` of (cx, cy).
Box box_around(double cx, double cy, double reach_x, double reach_y, std::int64_t size) {
  auto low = [&](double v) { return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(v - 0.5)), 0, size); };
  auto high = [&](double v) { return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(v + 0.5)), 0, size); };
  return {low(cx - reach_x), high(cx + reach_x), low(cy - reach_y), high(cy + reach_y)};
}

Box ellipse_box(const Ellipse& e, std::int64_t size) {
  const double reach_x = std::sqrt(e.a * e.a * e.ux * e.ux + e.b * e.b * e.uy * e.uy);
  const double reach_y = std::sqrt(e.a * e.a * e.uy * e.uy + e.b * e.b * e.ux * e.ux);
  return box_around(e.cx, e.cy, reach_x, reach_y, size);
}

// A smooth random field in [0, 1]: values on a grid of `cell`-pixel squares,
// joined by smoothstep interpolation (value noise).
std::vector<double> value_noise(Random& random, std::int64_t size, double cell) {
  const auto points = static_cast<std::int64_t>(std::ceil(static_cast<double>(size) / cell)) + 2;
  std::vector<double> grid(static_cast<std::size_t>(points * points));
  for (double& value : grid) value = random.uniform();
  // Grid cell and smoothstep weight of each column (the same for rows).
  std::vector<std::int64_t> index(static_cast<std::size_t>(size));
  std::vector<double> weight(static_cast<std::size_t>(size));
  for (std::int64_t i = 0; i < size; ++i) {
    const double g = (static_cast<double>(i) + 0.5) / cell;
    const auto cell_index = static_cast<std::int64_t>(g);
    const double t = g - static_cast<double>(cell_index);
    index[static_cast<std::size_t>(i)] = cell_index;
    weight[static_cast<std::size_t>(i)] = t * t * (3 - 2 * t);
  }
  std::vector<double> field(static_cast<std::size_t>(size * size));
  for (std::int64_t y = 0; y < size; ++y) {
    const double ty = weight[static_cast<std::size_t>(y)];
    const double* row0 = &grid[static_cast<std::size_t>(index[static_cast<std::size_t>(y)] * points)];
    const double* row1 = row0 + points;
    for (std::int64_t x = 0; x < size; ++x) {
      const auto ix = static_cast<std::size_t>(index[static_cast<std::size_t>(x)]);
      const double tx = weight[static_cast<std::size_t>(x)];
      const double top = row0[ix] + (row0[ix + 1] - row0[ix]) * tx;
      const double bottom = row1[ix] + (row1[ix + 1] - row1[ix]) * tx;
      field[static_cast<std::size_t>(y * size + x)] = top + (bottom - top) * ty;
    }
  }
  return field;
}

// Separable Gaussian blur, edges clamped, kernel cut at 3 sigma. Rows are
// padded and the vertical pass adds whole rows, so inner loops have no edge tests.
void blur(std::vector<double>& image, std::int64_t size, double sigma) {
  const auto radius = static_cast<std::int64_t>(std::ceil(3 * sigma));
  if (radius == 0) return;
  std::vector<double> kernel(static_cast<std::size_t>(2 * radius + 1));
  double total = 0;
  for (std::int64_t i = -radius; i <= radius; ++i) {
    const double w = portable_exp(-0.5 * static_cast<double>(i * i) / (sigma * sigma));
    kernel[static_cast<std::size_t>(i + radius)] = w;
    total += w;
  }
  for (double& w : kernel) w /= total;
  const auto n = static_cast<std::size_t>(size);
  std::vector<double> padded(n + 2 * static_cast<std::size_t>(radius)), temp(image.size());
  for (std::size_t y = 0; y < n; ++y) {
    const double* row = &image[y * n];
    for (std::size_t j = 0; j < padded.size(); ++j)
      padded[j] = row[static_cast<std::size_t>(std::clamp<std::int64_t>(static_cast<std::int64_t>(j) - radius, 0, size - 1))];
    for (std::size_t x = 0; x < n; ++x) {
      double sum = 0;
      for (std::size_t k = 0; k < kernel.size(); ++k) sum += kernel[k] * padded[x + k];
      temp[y * n + x] = sum;
    }
  }
  std::fill(image.begin(), image.end(), 0.0);
  for (std::int64_t y = 0; y < size; ++y) {
    double* out = &image[static_cast<std::size_t>(y) * n];
    for (std::int64_t i = -radius; i <= radius; ++i) {
      const double w = kernel[static_cast<std::size_t>(i + radius)];
      const double* in = &temp[static_cast<std::size_t>(std::clamp<std::int64_t>(y + i, 0, size - 1)) * n];
      for (std::size_t x = 0; x < n; ++x) out[x] += w * in[x];
    }
  }
}

// Raises `layer` to `brightness` × coverage around a round spot of `radius`
// (coverage falls from 1 to 0 over one pixel at the edge: anti-aliasing).
void splat(std::vector<double>& layer, std::int64_t size, double cx, double cy, double radius, double brightness) {
  const Box box = box_around(cx, cy, radius + 1, radius + 1, size);
  for (std::int64_t y = box.y0; y < box.y1; ++y)
    for (std::int64_t x = box.x0; x < box.x1; ++x) {
      const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      const double coverage = std::clamp(radius + 0.5 - std::sqrt(dx * dx + dy * dy), 0.0, 1.0);
      double& value = layer[static_cast<std::size_t>(y * size + x)];
      value = std::max(value, brightness * coverage);
    }
}

// Where a new nucleus goes: against an earlier one (touching, or overlapping
// by up to a quarter of the two reaches), or free, preferring spots that keep
// a gap to the others so that contacts come from the touching share.
void place(Random& random, const NucleiOptions& options, const std::vector<Ellipse>& placed, Ellipse& e) {
  const auto size = static_cast<double>(options.size);
  if (!placed.empty() && random.uniform() < options.touching_fraction) {
    const Ellipse& other = placed[static_cast<std::size_t>(random.integer(0, static_cast<std::int64_t>(placed.size()) - 1))];
    for (int attempt = 0; attempt < 8; ++attempt) {
      double dx = 0, dy = 0;
      random.direction(dx, dy);
      const double distance = (other.reach(dx, dy) + e.reach(-dx, -dy)) * random.uniform(0.75, 1.0);
      e.cx = other.cx + distance * dx;
      e.cy = other.cy + distance * dy;
      if (e.cx >= 0 && e.cx < size && e.cy >= 0 && e.cy < size) return;
    }
  }
  double best_x = 0, best_y = 0, best_clearance = -1;
  for (int attempt = 0; attempt < 20; ++attempt) {
    e.cx = random.uniform(0, size);
    e.cy = random.uniform(0, size);
    // Centre distance over the sum of reaches along the centre line: > 1
    // keeps a gap (exactly for circles, roughly for ellipses).
    double clearance = 1e9;
    for (const Ellipse& other : placed) {
      const double dx = e.cx - other.cx, dy = e.cy - other.cy;
      const double distance = std::sqrt(dx * dx + dy * dy);
      if (distance < 1e-9) {
        clearance = 0;
        break;
      }
      const double ratio = distance / (other.reach(dx / distance, dy / distance) + e.reach(-dx / distance, -dy / distance));
      clearance = std::min(clearance, ratio);
    }
    if (clearance > best_clearance) {
      best_clearance = clearance;
      best_x = e.cx;
      best_y = e.cy;
    }
    if (clearance >= 1.15) break;
  }
  e.cx = best_x;
  e.cy = best_y;
}

// A quadratic Bézier fibre from a random point, drawn as a chain of spots half
// a pixel apart (close enough that the edge is smooth to 0.05 px).
void draw_fibre(Random& random, const NucleiOptions& options, std::vector<double>& layer) {
  const auto size = static_cast<double>(options.size);
  const double x0 = random.uniform(0, size), y0 = random.uniform(0, size);
  double dx = 0, dy = 0;
  random.direction(dx, dy);
  const double length = random.uniform(0.3, 0.8) * size;
  const double bend = random.uniform(-0.25, 0.25) * length;
  const double half_width = random.uniform(0.4, 0.9);
  const double brightness = random.uniform(options.min_contrast, options.max_contrast);
  const double x2 = x0 + length * dx, y2 = y0 + length * dy;
  const double x1 = (x0 + x2) / 2 - bend * dy, y1 = (y0 + y2) / 2 + bend * dx;
  const auto steps = static_cast<std::int64_t>(std::ceil(2 * (length + std::abs(bend))));
  for (std::int64_t i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(steps), s = 1 - t;
    splat(layer, options.size, s * s * x0 + 2 * s * t * x1 + t * t * x2, s * s * y0 + 2 * s * t * y1 + t * t * y2,
          half_width, brightness);
  }
}

std::string number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return {buffer, result.ptr};
}

}  // namespace

bool Ellipse::contains(double x, double y) const { return radius2(*this, x, y) <= 1; }

double Ellipse::reach(double dx, double dy) const {
  const double p = (dx * ux + dy * uy) / a;
  const double q = (dy * ux - dx * uy) / b;
  return 1 / std::sqrt(p * p + q * q);
}

std::int64_t rasterize_ellipse(const Ellipse& ellipse, std::int64_t size, std::vector<std::uint8_t>& mask) {
  NASAIC_CHECK(static_cast<std::int64_t>(mask.size()) == size * size, "the mask is size × size");
  const Box box = ellipse_box(ellipse, size);
  std::int64_t covered = 0;
  for (std::int64_t y = box.y0; y < box.y1; ++y)
    for (std::int64_t x = box.x0; x < box.x1; ++x)
      if (ellipse.contains(x + 0.5, y + 0.5)) {
        mask[static_cast<std::size_t>(y * size + x)] = 1;
        ++covered;
      }
  return covered;
}

std::string validate(const NucleiOptions& o) {
  // Written as !(in range) so that NaN fails every check.
  auto outside = [](double value, double low, double high) { return !(value >= low && value <= high); };
  auto range = [](double low, double high) { return "must be in [" + number(low) + ", " + number(high) + "]"; };
  auto problem = [](const char* key, const std::string& rule, double got) {
    return std::string(key) + ": " + rule + ", got " + number(got);
  };
  const auto size = static_cast<double>(o.size);
  if (o.size < 16 || o.size > 512) return problem("size", "must be in [16, 512] pixels", size);
  if (o.min_nuclei < 1 || o.min_nuclei > 200)
    return problem("min_nuclei", "must be in [1, 200]", static_cast<double>(o.min_nuclei));
  if (o.max_nuclei < o.min_nuclei || o.max_nuclei > 200)
    return problem("max_nuclei", "must be in [min_nuclei, 200]", static_cast<double>(o.max_nuclei));
  if (outside(o.min_radius, 1, size / 2) || o.min_radius == size / 2)
    return problem("min_radius", "must be >= 1 (a smaller nucleus may cover no pixel) and < size/2", o.min_radius);
  if (outside(o.max_radius, o.min_radius, size / 2) || o.max_radius == size / 2)
    return problem("max_radius", "must be >= min_radius and < size/2", o.max_radius);
  if (outside(o.touching_fraction, 0, 1)) return problem("touching_fraction", range(0, 1), o.touching_fraction);
  if (outside(o.background, 0, 1)) return problem("background", range(0, 1), o.background);
  if (outside(o.illumination, 0, 1 - o.background))
    return problem("illumination", "must be in [0, 1 - background]", o.illumination);
  if (outside(o.min_contrast, 0.01, 1)) return problem("min_contrast", range(0.01, 1), o.min_contrast);
  if (outside(o.max_contrast, o.min_contrast, 1))
    return problem("max_contrast", "must be in [min_contrast, 1]", o.max_contrast);
  if (outside(o.texture, 0, 1)) return problem("texture", range(0, 1), o.texture);
  if (o.max_fibres < 0 || o.max_fibres > 100)
    return problem("max_fibres", "must be in [0, 100]", static_cast<double>(o.max_fibres));
  if (o.max_specks < 0 || o.max_specks > 100)
    return problem("max_specks", "must be in [0, 100]", static_cast<double>(o.max_specks));
  if (outside(o.blur_sigma, 0, 8)) return problem("blur_sigma", range(0, 8) + " pixels", o.blur_sigma);
  if (outside(o.noise_sigma, 0, 1)) return problem("noise_sigma", range(0, 1), o.noise_sigma);
  return "";
}

std::string nuclei_identity(const NucleiOptions& o) {
  return std::string(kVersion) + " size=" + std::to_string(o.size) + " nuclei=" + std::to_string(o.min_nuclei) +
         ".." + std::to_string(o.max_nuclei) + " radius=" + number(o.min_radius) + ".." + number(o.max_radius) +
         " touching=" + number(o.touching_fraction) + " background=" + number(o.background) +
         " illumination=" + number(o.illumination) + " contrast=" + number(o.min_contrast) + ".." +
         number(o.max_contrast) + " texture=" + number(o.texture) + " fibres=" + std::to_string(o.max_fibres) +
         " specks=" + std::to_string(o.max_specks) + " blur=" + number(o.blur_sigma) +
         " noise=" + number(o.noise_sigma);
}

NucleiImage generate_nuclei_image(const NucleiOptions& o, std::uint64_t image_seed) {
  NASAIC_CHECK(validate(o).empty(), "nuclei options are validated when read");
  Random random(image_seed);
  const std::int64_t size = o.size;
  const auto pixels = static_cast<std::size_t>(size * size);
  NucleiImage image;
  image.mask.assign(pixels, 0);

  // Lighting: a linear gradient and coarse blobs, mixed, scaled to the swing.
  double gx = 0, gy = 0;
  random.direction(gx, gy);
  const double gradient_weight = random.uniform(0.2, 0.8);
  const std::vector<double> blobs = value_noise(random, size, static_cast<double>(size) / 3);
  std::vector<double> canvas(pixels);
  std::vector<double> across(static_cast<std::size_t>(size));  // pixel centres in (-0.5, 0.5)
  for (std::int64_t i = 0; i < size; ++i)
    across[static_cast<std::size_t>(i)] = (static_cast<double>(i) + 0.5) / static_cast<double>(size) - 0.5;
  for (std::int64_t y = 0; y < size; ++y)
    for (std::int64_t x = 0; x < size; ++x) {
      const double along = across[static_cast<std::size_t>(x)] * gx + across[static_cast<std::size_t>(y)] * gy;
      const double ramp = std::clamp(0.5 + along, 0.0, 1.0);
      const auto i = static_cast<std::size_t>(y * size + x);
      canvas[i] = o.background + o.illumination * (gradient_weight * ramp + (1 - gradient_weight) * blobs[i]);
    }

  // Everything brighter than the lighting, combined by maximum so overlaps
  // do not saturate: nuclei, then fibres and specks.
  std::vector<double> layer(pixels, 0.0);
  const std::vector<double> grain = value_noise(random, size, 3.0);
  const std::int64_t count = random.integer(o.min_nuclei, o.max_nuclei);
  for (std::int64_t n = 0; n < count; ++n) {
    Ellipse e;
    e.a = random.uniform(o.min_radius, o.max_radius);
    e.b = random.uniform(std::max(o.min_radius, e.a / 2), e.a);
    random.direction(e.ux, e.uy);
    place(random, o, image.nuclei, e);
    const double contrast = random.uniform(o.min_contrast, o.max_contrast);
    // Chromatin: a few dark spots inside the nucleus.
    struct Spot {
      double x, y, r;
    };
    std::vector<Spot> spots(static_cast<std::size_t>(random.integer(1, 4)));
    for (Spot& spot : spots) {
      double p = 0, q = 0;
      do {
        p = random.uniform(-1, 1);
        q = random.uniform(-1, 1);
      } while (p * p + q * q > 1);
      p *= 0.7 * e.a;
      q *= 0.7 * e.b;
      spot.x = e.cx + p * e.ux - q * e.uy;
      spot.y = e.cy + p * e.uy + q * e.ux;
      spot.r = std::min(random.uniform(1.0, 2.5), 0.6 * e.b);
    }
    const Box box = ellipse_box(e, size);
    for (std::int64_t y = box.y0; y < box.y1; ++y)
      for (std::int64_t x = box.x0; x < box.x1; ++x) {
        const double r2 = radius2(e, x + 0.5, y + 0.5);
        if (r2 > 1) continue;
        const auto i = static_cast<std::size_t>(y * size + x);
        double dark = 0.6 * grain[i];
        for (const Spot& spot : spots) {
          const double dx = x + 0.5 - spot.x, dy = y + 0.5 - spot.y;
          dark = std::max(dark, 1 - (dx * dx + dy * dy) / (spot.r * spot.r));
        }
        // A slight dome: brighter in the middle, as a thicker nucleus is.
        const double value = contrast * (1 - 0.2 * r2) * (1 - o.texture * dark);
        layer[i] = std::max(layer[i], value);
        image.mask[i] = 1;
      }
    image.nuclei.push_back(e);
  }
  const std::int64_t fibres = random.integer(0, o.max_fibres);
  for (std::int64_t n = 0; n < fibres; ++n) draw_fibre(random, o, layer);
  const std::int64_t specks = random.integer(0, o.max_specks);
  for (std::int64_t n = 0; n < specks; ++n) {
    // At most half the smallest nucleus's radius: too small to be one.
    const double x = random.uniform(0, static_cast<double>(size)), y = random.uniform(0, static_cast<double>(size));
    const double radius = random.uniform(0.25, 0.5) * o.min_radius;
    const double brightness = random.uniform(o.min_contrast, o.max_contrast);
    splat(layer, size, x, y, radius, brightness);
  }

  for (std::size_t i = 0; i < pixels; ++i) canvas[i] += layer[i];
  blur(canvas, size, o.blur_sigma);
  image.pixels.resize(pixels);
  if (o.noise_sigma > 0)
    for (double& value : canvas) value += o.noise_sigma * random.normal();
  for (std::size_t i = 0; i < pixels; ++i) image.pixels[i] = static_cast<float>(std::clamp(canvas[i], 0.0, 1.0));
  return image;
}

std::uint64_t nuclei_image_seed(std::uint64_t seed, std::int64_t index) {
  return splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(index));
}

ImageSet generate_nuclei(const NucleiOptions& options, std::int64_t count, std::uint64_t seed) {
  NASAIC_CHECK(count >= 0, "an image count is not negative");
  ImageSet set;
  set.count = count;
  set.channels = 1;
  set.height = set.width = options.size;
  const auto pixels = static_cast<std::size_t>(options.size * options.size);
  set.pixels.resize(static_cast<std::size_t>(count) * pixels);
  set.masks.resize(static_cast<std::size_t>(count) * pixels);
  for (std::int64_t i = 0; i < count; ++i) {
    const NucleiImage image = generate_nuclei_image(options, nuclei_image_seed(seed, i));
    std::copy(image.pixels.begin(), image.pixels.end(), set.pixels.begin() + static_cast<std::ptrdiff_t>(i * pixels));
    std::copy(image.mask.begin(), image.mask.end(), set.masks.begin() + static_cast<std::ptrdiff_t>(i * pixels));
  }
  return set;
}

NucleiSplits nuclei_splits(const NucleiOptions& options, std::int64_t train, std::int64_t validation,
                           std::int64_t test) {
  return {generate_nuclei(options, train, kNucleiTrainSeed), generate_nuclei(options, validation, kNucleiValidationSeed),
          generate_nuclei(options, test, kNucleiTestSeed)};
}

}  // namespace nasaic
