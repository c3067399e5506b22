// The JSONL fast path's line scanner in C++: the same conservative filter as src/files/fast/LineScanner.ts, line
// for line and value for value, for the hosts where this addon builds (native/build.mjs). Whatever the
// TypeScript scanner sends to the general decoder, this one does too; the differential tests run both.
//
// Built with -ffp-contract=off and without -ffast-math: money is read through the same double operations as in
// JavaScript (mantissa / 10^scale, then x100 and round), which must round exactly as V8 does.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

constexpr int ACCEPTED = 0;
constexpr int BLANK = 1;
constexpr int FALLBACK = 2;

// Value rules, as in kinds.ts.
constexpr int POSITIVE_ID = 1;
constexpr int INTEGER = 2;
constexpr int MONEY = 3;
constexpr int INSTANT = 4;
constexpr int BIN = 5;
constexpr int FLAG = 6;
constexpr int TEXT = 7;
constexpr int KATO = 8;

constexpr uint8_t QUOTE = 34;
constexpr uint8_t BACKSLASH = 92;
constexpr uint8_t COMMA = 44;
constexpr uint8_t COLON = 58;
constexpr uint8_t MINUS = 45;
constexpr uint8_t PLUS = 43;
constexpr uint8_t DOT = 46;
constexpr uint8_t ZERO = 48;
constexpr uint8_t NINE = 57;
constexpr uint8_t OPEN_BRACE = 123;
constexpr uint8_t CLOSE_BRACE = 125;
constexpr uint8_t SPACE = 32;
constexpr uint8_t TAB = 9;
constexpr uint8_t CARRIAGE_RETURN = 13;
constexpr uint8_t NEWLINE = 10;

constexpr int MAX_EXACT_DIGITS = 15;
constexpr int MAX_ORDINALS = 64;
constexpr int UNKNOWN = -1;
constexpr int ALIAS = -3;
constexpr int NOT_A_FIELD = -2;

constexpr double POWERS_OF_TEN[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int DAYS_IN_MONTH[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
constexpr int64_t MS_PER_DAY = 86400000;

// Asia/Almaty's transitions, handed over from core's table (AlmatyTime.ts) so both read the same zone data.
struct Zone {
  std::vector<double> at;
  std::vector<double> offset;
};

struct OffsetCache {
  double from = 0;
  double to = -1;
  double offset = 0;
};

double almatyOffsetMs(const Zone& zone, OffsetCache& cache, double utc) {
  if (utc >= cache.from && utc < cache.to) return cache.offset;
  size_t lo = 0;
  size_t hi = zone.at.size() - 1;
  while (lo < hi) {
    size_t mid = (lo + hi + 1) >> 1;
    if (zone.at[mid] <= utc)
      lo = mid;
    else
      hi = mid - 1;
  }
  cache.from = zone.at[lo];
  cache.to = lo + 1 < zone.at.size() ? zone.at[lo + 1] : INFINITY;
  cache.offset = zone.offset[lo];
  return cache.offset;
}

double fromAlmatyWallClock(const Zone& zone, OffsetCache& cache, double wall) {
  double utc = wall - almatyOffsetMs(zone, cache, wall);
  return wall - almatyOffsetMs(zone, cache, utc);
}

int64_t dayOfDate(uint32_t year, uint32_t month, uint32_t day) {
  // Years are at least 1900 here: unsigned division is the floor the TypeScript takes (and compiles to multiplies).
  uint32_t y = month <= 2 ? year - 1 : year;
  uint32_t era = y / 400;
  uint32_t yoe = y - era * 400;
  uint32_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t(era) * 146097 + int64_t(doe) - 719468;
}

inline bool leapYear(uint32_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

// As core's NOT_A_DIGIT: low enough that a field holding a non-digit comes out negative (a year's last digit too).
constexpr int NOT_A_DIGIT = -100000;

inline int byteDigit(const uint8_t* b, int64_t i) {
  int d = int(b[i]) - 48;
  return d >= 0 && d <= 9 ? d : NOT_A_DIGIT;
}

double wallClockOfBytes(const uint8_t* b, int64_t from, int64_t to) {
  int64_t length = to - from;
  if ((length != 10 && length != 19) || b[from + 4] != 45 || b[from + 7] != 45) return -1;
  int year = byteDigit(b, from) * 1000 + byteDigit(b, from + 1) * 100 + byteDigit(b, from + 2) * 10 +
             byteDigit(b, from + 3);
  int month = byteDigit(b, from + 5) * 10 + byteDigit(b, from + 6);
  int day = byteDigit(b, from + 8) * 10 + byteDigit(b, from + 9);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return -1;
  if (month == 2 && day == 29 && !leapYear(uint32_t(year))) return -1;
  int64_t ms = dayOfDate(uint32_t(year), uint32_t(month), uint32_t(day)) * MS_PER_DAY;
  if (length == 19) {
    uint8_t separator = b[from + 10];
    if ((separator != 32 && separator != 84) || b[from + 13] != 58 || b[from + 16] != 58) return -1;
    int hour = byteDigit(b, from + 11) * 10 + byteDigit(b, from + 12);
    int minute = byteDigit(b, from + 14) * 10 + byteDigit(b, from + 15);
    int second = byteDigit(b, from + 17) * 10 + byteDigit(b, from + 18);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
    ms += ((int64_t(hour) * 60 + minute) * 60 + second) * 1000;
  }
  return double(ms);
}

double binCodeOfBytes(const uint8_t* b, int64_t from) {
  static constexpr int FIRST[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  static constexpr int SECOND[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
  int64_t code = 0;
  int first = 0;
  int second = 0;
  for (int i = 0; i < 11; i++) {
    int d = int(b[from + i]) - 48;
    if (d < 0 || d > 9) return -1;
    code = code * 10 + d;
    first += d * FIRST[i];
    second += d * SECOND[i];
  }
  int last = int(b[from + 11]) - 48;
  if (last < 0 || last > 9) return -1;
  first %= 11;
  int check = first != 10 ? first : second % 11;
  return check == last ? double(code * 10 + last) : -1;
}

double decimalTiynOfBytes(const uint8_t* b, int64_t from, int64_t to) {
  constexpr int64_t MAX_WHOLE_DIGITS = 13;
  int64_t whole = 0;
  int64_t i = from;
  for (; i < to; i++) {
    int d = int(b[i]) - 48;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    if (i - from >= MAX_WHOLE_DIGITS) return -1;  // before it can overflow; the TypeScript rejects it below
  }
  int64_t wholeDigits = i - from;
  if (wholeDigits == 0 || wholeDigits > MAX_WHOLE_DIGITS) return -1;
  if (i == to) return double(whole * 100);
  if (b[i] != 46 || i + 1 == to) return -1;
  for (int64_t j = i + 1; j < to; j++) {
    int d = int(b[j]) - 48;
    if (d < 0 || d > 9) return -1;
  }
  int64_t last = to;
  while (last > i + 1 && b[last - 1] == 48) last--;
  int64_t decimals = last - i - 1;
  if (decimals > 2) return -1;
  int64_t tenths = decimals >= 1 ? int(b[i + 1]) - 48 : 0;
  int64_t hundredths = decimals == 2 ? int(b[i + 2]) - 48 : 0;
  return double(whole * 100 + tenths * 10 + hundredths);
}

double simpleTiyn(double value) {
  if (value >= 0 && value < 1e13) {
    // Math.round and std::round agree on non-negative values (halves go up).
    double tiyn = std::round(value * 100);
    if (tiyn / 100 == value) return tiyn;
  }
  return -1;
}

struct Field {
  int rule;
  bool required;
  int slot;
};

struct Key {
  std::string bytes;
  int identity;  // a field index, or ALIAS
};

class Scanner {
 public:
  Scanner(const Zone& zone, std::vector<Field> fields, std::vector<Key> keys, int slots)
      : row(slots), textEnd(slots, 0), zone_(zone), fields_(std::move(fields)), keys_(std::move(keys)), slots_(slots),
        defaults_(slots, NAN),
        seen_(fields_.size(), 0) {
    for (const Field& f : fields_) {
      if (f.required) requiredCount_++;
      if (f.rule == FLAG && f.slot >= 0) defaults_[f.slot] = 0;
    }
  }

  int slots() const { return slots_; }
  // The kept values of the last line read, NaN when absent; a kept text is where its value starts in the bytes
  // (in `row`) and where it ends (in `textEnd`), and only when it has no escapes: as LineScanner.ts keeps them.
  std::vector<double> row;
  std::vector<int32_t> textEnd;

  int scan(const uint8_t* bytes, int64_t from, int64_t to) {
    if (to == from) return BLANK;
    b_ = bytes;
    end_ = to;
    ordinal_ = 0;
    line_++;
    requiredSeen_ = 0;
    if (slots_ > 0) std::memcpy(row.data(), defaults_.data(), sizeof(double) * slots_);
    int64_t p = skipSpace(from);
    if (p >= to || b_[p] != OPEN_BRACE) return FALLBACK;
    p = skipSpace(p + 1);
    if (p >= to || b_[p] == CLOSE_BRACE) return FALLBACK;
    for (;;) {
      if (b_[p] != QUOTE) return FALLBACK;
      p = readKey(p + 1);
      if (p < 0) return FALLBACK;
      int field = lastField_;
      if (field == NOT_A_FIELD) return FALLBACK;
      p = skipSpace(p);
      if (p >= to || b_[p] != COLON) return FALLBACK;
      p = skipSpace(p + 1);
      if (p >= to) return FALLBACK;
      p = field < 0 ? skipValue(p) : readValue(p, field);
      if (p < 0) return FALLBACK;
      p = skipSpace(p);
      if (p >= to) return FALLBACK;
      uint8_t c = b_[p];
      if (c == COMMA) {
        p = skipSpace(p + 1);
        if (p >= to) return FALLBACK;
        continue;
      }
      if (c != CLOSE_BRACE) return FALLBACK;
      break;
    }
    if (skipSpace(p + 1) != to) return FALLBACK;
    return requiredSeen_ == requiredCount_ ? ACCEPTED : FALLBACK;
  }

 private:
  const Zone& zone_;
  std::vector<Field> fields_;
  std::vector<Key> keys_;
  int slots_;
  std::vector<double> defaults_;
  std::vector<uint64_t> seen_;
  int requiredCount_ = 0;
  // The key met at each position of the last lines, to recognise the next line's key by one comparison.
  std::string ordinalKey_[MAX_ORDINALS];
  int ordinalIdentity_[MAX_ORDINALS] = {};
  bool ordinalKnown_[MAX_ORDINALS] = {};
  OffsetCache offsets_;
  const uint8_t* b_ = nullptr;
  int64_t end_ = 0;
  int ordinal_ = 0;
  uint64_t line_ = 0;
  int requiredSeen_ = 0;
  int lastField_ = -1;
  int64_t numberEnd_ = 0;
  bool numberInteger_ = false;
  bool numberNegative_ = false;
  int numberDigits_ = 0;
  int numberScale_ = 0;
  double numberMantissa_ = 0;

  int64_t skipSpace(int64_t p) const {
    while (p < end_) {
      uint8_t c = b_[p];
      if (c != SPACE && c != TAB && c != CARRIAGE_RETURN) break;
      p++;
    }
    return p;
  }

  void settle(int identity) {
    if (identity == ALIAS || (identity >= 0 && seen_[identity] == line_)) {
      lastField_ = NOT_A_FIELD;
    } else {
      if (identity >= 0) seen_[identity] = line_;
      lastField_ = identity;
    }
  }

  int64_t readKey(int64_t start) {
    int k = ordinal_++;
    if (k < MAX_ORDINALS && ordinalKnown_[k]) {
      const std::string& key = ordinalKey_[k];
      int64_t length = int64_t(key.size());
      if (start + length < end_ && b_[start + length] == QUOTE && std::memcmp(b_ + start, key.data(), length) == 0) {
        settle(ordinalIdentity_[k]);
        return start + length + 1;
      }
    }
    int64_t i = start;
    for (;;) {
      if (i >= end_) return -1;
      uint8_t c = b_[i];
      if (c == QUOTE) break;
      if (c < SPACE || c == BACKSLASH) return -1;
      i++;
    }
    int64_t length = i - start;
    int identity = UNKNOWN;
    for (const Key& key : keys_) {
      if (int64_t(key.bytes.size()) == length && std::memcmp(b_ + start, key.bytes.data(), length) == 0) {
        identity = key.identity;
        break;
      }
    }
    settle(identity);
    if (k < MAX_ORDINALS) {
      ordinalKey_[k].assign(reinterpret_cast<const char*>(b_ + start), length);
      ordinalIdentity_[k] = identity;
      ordinalKnown_[k] = true;
    }
    return i + 1;
  }

  bool matches(int64_t p, const char* literal, int64_t length) const {
    if (p + length > end_) return false;
    return std::memcmp(b_ + p, literal, length) == 0;
  }

  int64_t skipValue(int64_t p) {
    uint8_t c = b_[p];
    if (c == QUOTE) return skipString(p + 1, false);
    if (c == MINUS || (c >= ZERO && c <= NINE)) return readNumber(p) ? numberEnd_ : -1;
    if (matches(p, "null", 4) || matches(p, "true", 4)) return p + 4;
    if (matches(p, "false", 5)) return p + 5;
    return -1;
  }

  int64_t plainStringEnd(int64_t start) const {
    int64_t i = start;
#if defined(__SSE2__)
    // Sixteen bytes at a time: the first quote, backslash or control byte decides, as in the loop below.
    const __m128i quote = _mm_set1_epi8(char(QUOTE));
    const __m128i backslash = _mm_set1_epi8(char(BACKSLASH));
    const __m128i lastControl = _mm_set1_epi8(char(SPACE - 1));
    for (; i + 16 <= end_; i += 16) {
      __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b_ + i));
      __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                     _mm_cmpeq_epi8(_mm_min_epu8(chunk, lastControl), chunk));
      int mask = _mm_movemask_epi8(special);
      if (mask != 0) {
        uint8_t c = b_[i + __builtin_ctz(unsigned(mask))];
        return c == QUOTE ? i + __builtin_ctz(unsigned(mask)) : c == BACKSLASH ? -2 : -1;
      }
    }
#endif
    for (; i < end_; i++) {
      uint8_t c = b_[i];
      if (c == QUOTE) return i;
      if (c < SPACE) return -1;
      if (c == BACKSLASH) return -2;
    }
    return -1;
  }

  int64_t skipString(int64_t start, bool plainEscapesOnly) const {
    int64_t close = plainStringEnd(start);
    if (close >= 0) return close + 1;
    if (close == -1) return -1;
    int64_t i = start;
    while (i < end_) {
      uint8_t c = b_[i];
      if (c == QUOTE) return i + 1;
      if (c < SPACE) return -1;
      if (c != BACKSLASH) {
        i++;
        continue;
      }
      if (i + 1 >= end_) return -1;
      uint8_t e = b_[i + 1];
      if (e == 'u') {
        if (plainEscapesOnly || i + 6 > end_) return -1;
        for (int h = 2; h < 6; h++) {
          uint8_t x = b_[i + h];
          uint8_t lower = x | 32;
          if (!((x >= ZERO && x <= NINE) || (lower >= 'a' && lower <= 'f'))) return -1;
        }
        i += 6;
      } else if (e == QUOTE || e == BACKSLASH || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                 e == 't') {
        i += 2;
      } else {
        return -1;
      }
    }
    return -1;
  }

  bool readNumber(int64_t p) {
    int64_t i = p;
    numberNegative_ = false;
    if (b_[i] == MINUS) {
      numberNegative_ = true;
      i++;
    }
    double mantissa = 0;
    int digits = 0;
    if (i >= end_) return false;
    uint8_t c = b_[i];
    if (c == ZERO) {
      i++;
      digits = 1;
    } else if (c > ZERO && c <= NINE) {
      while (i < end_) {
        int d = int(b_[i]) - ZERO;
        if (d < 0 || d > 9) break;
        mantissa = mantissa * 10 + d;
        digits++;
        i++;
      }
    } else {
      return false;
    }
    int scale = 0;
    bool integer = true;
    if (i < end_ && b_[i] == DOT) {
      integer = false;
      i++;
      int64_t first = i;
      while (i < end_) {
        int d = int(b_[i]) - ZERO;
        if (d < 0 || d > 9) break;
        mantissa = mantissa * 10 + d;
        digits++;
        i++;
      }
      if (i == first) return false;
      scale = int(i - first);
    }
    if (i < end_ && (b_[i] | 32) == 'e') {
      integer = false;
      digits = 1 << 30;  // the TypeScript's Infinity: more than any exact mantissa
      i++;
      if (i < end_ && (b_[i] == PLUS || b_[i] == MINUS)) i++;
      int64_t first = i;
      while (i < end_ && b_[i] >= ZERO && b_[i] <= NINE) i++;
      if (i == first) return false;
    }
    numberEnd_ = i;
    numberInteger_ = integer;
    numberDigits_ = digits;
    numberScale_ = scale;
    numberMantissa_ = mantissa;
    return true;
  }

  int64_t readValue(int64_t p, int field) {
    const Field& f = fields_[field];
    uint8_t c = b_[p];
    if (c == QUOTE) {
      int64_t start = p + 1;
      int64_t close = plainStringEnd(start);
      if (close == -2) {
        if (f.rule != TEXT || f.slot >= 0) return -1;
        int64_t next = skipString(start, true);
        if (next >= 0 && f.required) requiredSeen_++;
        return next;
      }
      if (close < 0) return -1;
      return readString(start, close, f) ? close + 1 : -1;
    }
    if (c == MINUS || (c >= ZERO && c <= NINE)) {
      if (!readNumber(p)) return -1;
      return takeNumber(f) ? numberEnd_ : -1;
    }
    if (matches(p, "null", 4)) return f.required ? -1 : p + 4;
    if (f.rule == FLAG) {
      if (matches(p, "true", 4)) {
        if (f.slot >= 0) row[f.slot] = 1;
        return p + 4;
      }
      if (matches(p, "false", 5)) return p + 5;
    }
    return -1;
  }

  bool readString(int64_t start, int64_t close, const Field& f) {
    if (start == close) return !f.required;
    double value;
    int64_t length = close - start;
    switch (f.rule) {
      case TEXT:
        if (f.required) requiredSeen_++;
        if (f.slot >= 0) {
          row[f.slot] = double(start);
          textEnd[f.slot] = int32_t(close);
        }
        return true;
      case POSITIVE_ID:
      case INTEGER: {
        if (length > MAX_EXACT_DIGITS) return false;
        int64_t v = 0;
        for (int64_t i = start; i < close; i++) {
          int d = int(b_[i]) - ZERO;
          if (d < 0 || d > 9) return false;
          v = v * 10 + d;
        }
        if (f.rule == POSITIVE_ID && v == 0) return false;
        value = double(v);
        break;
      }
      case MONEY:
        value = decimalTiynOfBytes(b_, start, close);
        if (value < 0) return false;
        break;
      case INSTANT: {
        double wall = wallClockOfBytes(b_, start, close);
        if (wall < 0) return false;
        value = f.slot >= 0 ? fromAlmatyWallClock(zone_, offsets_, wall) : 0;
        break;
      }
      case BIN:
        if (length != 12) return false;
        value = binCodeOfBytes(b_, start);
        if (value < 0) return false;
        break;
      case FLAG: {
        if (length == 1) {
          uint8_t d = b_[start];
          if (d != ZERO && d != ZERO + 1) return false;
          value = d - ZERO;
        } else if (length == 4 && matches(start, "true", 4)) {
          value = 1;
        } else if (length == 5 && matches(start, "false", 5)) {
          value = 0;
        } else {
          return false;
        }
        break;
      }
      case KATO: {
        if (length < 2 || length > 9) return false;
        for (int64_t i = start; i < close; i++) {
          int d = int(b_[i]) - ZERO;
          if (d < 0 || d > 9) return false;
        }
        value = (int(b_[start]) - ZERO) * 10 + (int(b_[start + 1]) - ZERO);
        break;
      }
      default:
        return false;
    }
    if (f.required) requiredSeen_++;
    if (f.slot >= 0) row[f.slot] = value;
    return true;
  }

  bool takeNumber(const Field& f) {
    double value;
    if (f.rule == TEXT) {
      if (f.slot >= 0) return false;
      if (f.required) requiredSeen_++;
      return true;
    }
    if (numberNegative_ || numberDigits_ > MAX_EXACT_DIGITS) return false;
    switch (f.rule) {
      case POSITIVE_ID:
      case INTEGER:
        if (!numberInteger_) return false;
        value = numberMantissa_;
        if (f.rule == POSITIVE_ID && value == 0) return false;
        break;
      case MONEY:
        value = simpleTiyn(numberMantissa_ / POWERS_OF_TEN[numberScale_]);
        if (value < 0) return false;
        break;
      case FLAG:
        if (!numberInteger_ || numberMantissa_ > 1) return false;
        value = numberMantissa_;
        break;
      case KATO: {
        int digits = numberDigits_;
        if (!numberInteger_ || digits < 2 || digits > 9) return false;
        value = std::floor(numberMantissa_ / POWERS_OF_TEN[digits - 2]);
        break;
      }
      default:
        return false;
    }
    if (f.required) requiredSeen_++;
    if (f.slot >= 0) row[f.slot] = value;
    return true;
  }
};

// One per JavaScript environment (the main thread and each worker thread load the addon apart).
struct Instance {
  Zone zone;
  std::vector<std::unique_ptr<Scanner>> scanners;
};

Instance& instanceOf(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return *static_cast<Instance*>(data);
}

// ---- N-API glue -------------------------------------------------------------------------------------------

#define CHECK(call)                                                              \
  do {                                                                           \
    if ((call) != napi_ok) {                                                     \
      napi_throw_error(env, nullptr, "lineScanner: " #call " failed");           \
      return nullptr;                                                            \
    }                                                                            \
  } while (0)

bool typedArray(napi_env env, napi_value value, napi_typedarray_type expected, void** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok) return false;
  return type == expected;
}

int32_t intArg(napi_env env, napi_value value) {
  int32_t out = 0;
  napi_get_value_int32(env, value, &out);
  return out;
}

// NaN when the value is no number, so that the checks below refuse it.
double numberArg(napi_env env, napi_value value) {
  double out = 0;
  if (napi_get_value_double(env, value, &out) != napi_ok) return NAN;
  return out;
}

// Byte offsets and row numbers come as doubles, and converting NaN or one beyond int64_t's range to an integer is
// undefined behaviour: a position must lie in [0, 2^53 - 1]. A limit may be anything but NaN, +Infinity
// (no limit, as the TypeScript reader takes it) included: it is capped at 2^53 - 1 either way.
constexpr double MAX_SAFE_INTEGER = 9007199254740991.0;

bool positionArg(napi_env env, napi_value value, int64_t* out) {
  double d = numberArg(env, value);
  if (!(d >= 0 && d <= MAX_SAFE_INTEGER)) return false;
  *out = int64_t(d);
  return true;
}

bool limitArg(napi_env env, napi_value value, int64_t* out) {
  double d = numberArg(env, value);
  if (std::isnan(d)) return false;
  *out = int64_t(std::fmax(-MAX_SAFE_INTEGER, std::fmin(d, MAX_SAFE_INTEGER)));
  return true;
}

// setZone(at: Float64Array, offset: Float64Array): the zone's transitions, first `at` being -Infinity.
napi_value SetZone(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  double* at;
  double* offset;
  size_t n;
  size_t m;
  if (argc < 2 || !typedArray(env, argv[0], napi_float64_array, reinterpret_cast<void**>(&at), &n) ||
      !typedArray(env, argv[1], napi_float64_array, reinterpret_cast<void**>(&offset), &m) || n != m || n == 0) {
    napi_throw_type_error(env, nullptr, "setZone(at: Float64Array, offset: Float64Array)");
    return nullptr;
  }
  Instance& instance = instanceOf(env);
  instance.zone.at.assign(at, at + n);
  instance.zone.offset.assign(offset, offset + n);
  return nullptr;
}

// makeScanner(slots, rules: Int32Array, required: Uint8Array, fieldSlots: Int32Array, keys: string[],
//             keyIdentities: Int32Array) → a scanner's number.
napi_value MakeScanner(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t* rules;
  uint8_t* required;
  int32_t* slots;
  int32_t* identities;
  size_t fields;
  size_t n2;
  size_t n3;
  size_t keyCount;
  if (argc < 6 || !typedArray(env, argv[1], napi_int32_array, reinterpret_cast<void**>(&rules), &fields) ||
      !typedArray(env, argv[2], napi_uint8_array, reinterpret_cast<void**>(&required), &n2) ||
      !typedArray(env, argv[3], napi_int32_array, reinterpret_cast<void**>(&slots), &n3) ||
      !typedArray(env, argv[5], napi_int32_array, reinterpret_cast<void**>(&identities), &keyCount) ||
      n2 != fields || n3 != fields) {
    napi_throw_type_error(env, nullptr, "makeScanner: bad arguments");
    return nullptr;
  }
  // Slots and identities index the scanner's arrays: checked here, once, rather than trusted on every line.
  int32_t rowSlots = intArg(env, argv[0]);
  if (rowSlots < 0 || rowSlots > 1024) {
    napi_throw_range_error(env, nullptr, "makeScanner: slots out of range");
    return nullptr;
  }
  std::vector<Field> spec;
  for (size_t i = 0; i < fields; i++) {
    if (slots[i] < -1 || slots[i] >= rowSlots || rules[i] < POSITIVE_ID || rules[i] > KATO) {
      napi_throw_range_error(env, nullptr, "makeScanner: a field's slot or rule is out of range");
      return nullptr;
    }
    spec.push_back({rules[i], required[i] != 0, slots[i]});
  }
  std::vector<Key> keys;
  for (size_t i = 0; i < keyCount; i++) {
    if (identities[i] != ALIAS && (identities[i] < 0 || size_t(identities[i]) >= fields)) {
      napi_throw_range_error(env, nullptr, "makeScanner: a key's field is out of range");
      return nullptr;
    }
    napi_value name;
    CHECK(napi_get_element(env, argv[4], uint32_t(i), &name));
    size_t length;
    CHECK(napi_get_value_string_latin1(env, name, nullptr, 0, &length));
    std::string text(length, '\0');
    CHECK(napi_get_value_string_latin1(env, name, text.data(), length + 1, &length));
    keys.push_back({text, identities[i]});
  }
  Instance& instance = instanceOf(env);
  if (instance.zone.at.empty()) {
    napi_throw_error(env, nullptr, "makeScanner: setZone first");
    return nullptr;
  }
  instance.scanners.push_back(
      std::make_unique<Scanner>(instance.zone, std::move(spec), std::move(keys), rowSlots));
  napi_value out;
  CHECK(napi_create_int32(env, int32_t(instance.scanners.size() - 1), &out));
  return out;
}

// scanLines(scanner, bytes: Uint8Array, from, stopBefore, maxLineBytes, rows: Float64Array, rowIndex,
//           out: Float64Array) reads the lines starting in [from, stopBefore) — each ends with a line feed inside
// `bytes` — until one needs the TypeScript side (too long, or not accepted) or `rows` is full. out: the next
// line's start, rows written, lines read, and why it stopped (0 all read, 1 rows full, 2 a line for the caller).
napi_value ScanLines(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  uint8_t* bytes;
  double* rows;
  double* out;
  size_t byteLength;
  size_t rowLength;
  size_t outLength;
  Instance& instance = instanceOf(env);
  int32_t id = argc > 0 ? intArg(env, argv[0]) : -1;
  if (argc < 8 || id < 0 || size_t(id) >= instance.scanners.size() ||
      !typedArray(env, argv[1], napi_uint8_array, reinterpret_cast<void**>(&bytes), &byteLength) ||
      !typedArray(env, argv[5], napi_float64_array, reinterpret_cast<void**>(&rows), &rowLength) ||
      !typedArray(env, argv[7], napi_float64_array, reinterpret_cast<void**>(&out), &outLength) || outLength < 4) {
    napi_throw_type_error(env, nullptr, "scanLines: bad arguments");
    return nullptr;
  }
  Scanner& scanner = *instance.scanners[id];
  int64_t pos;
  int64_t stopBefore;
  int64_t maxLineBytes;
  int64_t rowIndex;
  if (!positionArg(env, argv[2], &pos) || !limitArg(env, argv[3], &stopBefore) ||
      !limitArg(env, argv[4], &maxLineBytes) || !positionArg(env, argv[6], &rowIndex)) {
    napi_throw_range_error(env, nullptr, "scanLines: a position or row outside [0, 2^53 - 1], or a NaN limit");
    return nullptr;
  }
  int64_t stride = scanner.slots();
  int64_t capacity = stride == 0 ? INT64_MAX : int64_t(rowLength) / stride;
  if (stopBefore > int64_t(byteLength)) stopBefore = int64_t(byteLength);
  int64_t written = 0;
  int64_t lines = 0;
  int reason = 0;
  while (pos < stopBefore) {
    const void* found = std::memchr(bytes + pos, NEWLINE, byteLength - size_t(pos));
    if (found == nullptr) {
      reason = 2;
      break;
    }
    int64_t newline = static_cast<const uint8_t*>(found) - bytes;
    if (newline - pos > maxLineBytes) {
      reason = 2;
      break;
    }
    if (rowIndex + written >= capacity) {
      reason = 1;
      break;
    }
    int64_t to = newline;
    if (to > pos && bytes[to - 1] == CARRIAGE_RETURN) to--;
    int verdict = scanner.scan(bytes, pos, to);
    if (verdict == FALLBACK) {
      reason = 2;
      break;
    }
    if (verdict == ACCEPTED) {
      // A kind without slots (refs) keeps nothing: no copy, whose pointers may then be null.
      if (stride > 0) std::memcpy(rows + (rowIndex + written) * stride, scanner.row.data(), sizeof(double) * stride);
      written++;
    }
    lines++;
    pos = newline + 1;
  }
  out[0] = double(pos);
  out[1] = double(written);
  out[2] = double(lines);
  out[3] = double(reason);
  return nullptr;
}

// scanLine(scanner, bytes: Uint8Array, from, to, row: Float64Array, textEnd: Int32Array) → the verdict (0 a row,
// 1 blank, 2 for the general decoder) of the line bytes[from, to) (without its line break), its values copied into
// `row` and `textEnd` when it is a row: LineScanner.scan for readers that take records a line at a time.
napi_value ScanLine(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Instance& instance = instanceOf(env);
  uint8_t* bytes;
  double* row;
  int32_t* textEnd;
  size_t byteLength;
  size_t rowLength;
  size_t textEndLength;
  int32_t id = argc > 0 ? intArg(env, argv[0]) : -1;
  if (argc < 6 || id < 0 || size_t(id) >= instance.scanners.size() ||
      !typedArray(env, argv[1], napi_uint8_array, reinterpret_cast<void**>(&bytes), &byteLength) ||
      !typedArray(env, argv[4], napi_float64_array, reinterpret_cast<void**>(&row), &rowLength) ||
      !typedArray(env, argv[5], napi_int32_array, reinterpret_cast<void**>(&textEnd), &textEndLength)) {
    napi_throw_type_error(env, nullptr, "scanLine: bad arguments");
    return nullptr;
  }
  Scanner& scanner = *instance.scanners[id];
  int64_t from;
  int64_t to;
  size_t slots = size_t(scanner.slots());
  // The scanner reads up to `to` and never past it; `to` must lie inside the bytes given.
  if (!positionArg(env, argv[2], &from) || !positionArg(env, argv[3], &to) || to < from ||
      to > int64_t(byteLength) || rowLength < slots || textEndLength < slots) {
    napi_throw_range_error(env, nullptr, "scanLine: a line outside its bytes, or rows too short");
    return nullptr;
  }
  int verdict = scanner.scan(bytes, from, to);
  if (verdict == ACCEPTED && slots > 0) {
    std::memcpy(row, scanner.row.data(), sizeof(double) * slots);
    std::memcpy(textEnd, scanner.textEnd.data(), sizeof(int32_t) * slots);
  }
  napi_value out;
  CHECK(napi_create_int32(env, verdict, &out));
  return out;
}

}  // namespace

NAPI_MODULE_INIT() {
  auto* instance = new Instance();
  napi_set_instance_data(
      env, instance, [](napi_env, void* data, void*) { delete static_cast<Instance*>(data); }, nullptr);
  napi_property_descriptor properties[] = {
      {"setZone", nullptr, SetZone, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"makeScanner", nullptr, MakeScanner, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scanLines", nullptr, ScanLines, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"scanLine", nullptr, ScanLine, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, 4, properties) != napi_ok) return nullptr;
  return exports;
}
