// Why a row was rejected, sent to review or merged: a stable code for
// scripts and a sentence a clerk understands, in Japanese and English. The
// catalogue (reasons.cc) is the one place these sentences live.
// Thread-safety: immutable table; functions are pure.
#pragma once

#include <string>
#include <string_view>

namespace ichigen::intake {

enum class ReasonCode {
  kMalformedRow,        // the reader could not split the record
  kBlankRow,            // every field empty
  kMissingRequired,     // a required field is empty
  kBadHersysId,         // not 6–8 digits
  kBadDate,             // not a date, impossible or ambiguous
  kDateOutOfRange,      // absurd (before the epidemic, in the future)
  kBirthAfterNotified,  // birth date after the notification date
  kBadSex,              // unknown sex code
  kBadAge,              // not a number of years 0–125
  kBadMunicipalityCode, // not 5/6 digits, bad check digit, or unknown
  kBadValue,            // a closed list (severity, care status, consent) got something else
  kInvalidEncoding,     // undecodable bytes in the row
  kHersysIdContradiction,  // the ID names a patient whose name and birth date differ
  kUnknownHersysId,     // review: no patient has this HER-SYS ID (yet)
  kMergedHersysId,      // review: the ID's patient was merged into another; the row changes it
  kNoHersysId,          // review: no ID; the person must be identified
  kMissingEvent,        // an update row with no event or event date
  kStayOrder,           // a stay that ends before it starts
  kUnchanged,           // merged: same content as stored
  kUpdated,             // merged: fields changed
  kEventsAdded,         // merged: care-history events added
  kAutoLinked,          // merged: linked by identity evidence, events added
  kIdentityReview,      // review: possible patients found, none certain
  kNoMatch,             // review: nobody close enough
};

struct Reason {
  ReasonCode code;
  std::string ja;
  std::string en;
};

std::string_view ReasonCodeName(ReasonCode code);  // e.g. "missing_required"

// The catalogue sentence with `detail` (a field name, a value) filled in.
Reason MakeReason(ReasonCode code, std::string_view detail_ja = {},
                  std::string_view detail_en = {});

}  // namespace ichigen::intake
