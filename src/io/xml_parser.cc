#include "io/xml_parser.h"
#include "io/str_cat.h"

#include <expat.h>

#include <cstring>
#include <limits>

namespace ichigen::io {
namespace {

constexpr char kNamespaceSeparator = '\x01';

std::string_view LocalName(const char* name) {
  const char* sep = std::strrchr(name, kNamespaceSeparator);
  return sep ? std::string_view(sep + 1) : std::string_view(name);
}

}  // namespace

const char* XmlAttribute(const char** attributes, std::string_view local) {
  for (const char** a = attributes; a[0] != nullptr; a += 2) {
    if (LocalName(a[0]) == local) return a[1];
  }
  return nullptr;
}

struct XmlCallbacks {
  static void Start(void* data, const XML_Char* name, const XML_Char** attributes) {
    static_cast<XmlParser*>(data)->handler_.StartElement(LocalName(name), attributes);
  }
  static void End(void* data, const XML_Char* name) {
    static_cast<XmlParser*>(data)->handler_.EndElement(LocalName(name));
  }
  static void Text(void* data, const XML_Char* text, int length) {
    static_cast<XmlParser*>(data)->handler_.Characters(
        std::string_view(text, static_cast<size_t>(length)));
  }
  // A DOCTYPE is refused before expat expands anything it declares.
  static void Doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* self = static_cast<XmlParser*>(data);
    self->doctype_seen_ = true;
    XML_StopParser(self->parser_, XML_FALSE);
  }
};

XmlParser::XmlParser(XML_ParserStruct* parser, XmlHandler& handler, std::string part_name)
    : parser_(parser), handler_(handler), part_name_(std::move(part_name)) {}

XmlParser::~XmlParser() { XML_ParserFree(parser_); }

core::Result<std::unique_ptr<XmlParser>> XmlParser::Create(XmlHandler& handler,
                                                           std::string part_name) {
  XML_Parser raw = XML_ParserCreateNS(nullptr, kNamespaceSeparator);
  if (raw == nullptr) {
    return core::Fail(core::Code::kResourceExhausted, "XML パーサを作れません",
                      "cannot create an XML parser");
  }
  std::unique_ptr<XmlParser> parser(new XmlParser(raw, handler, std::move(part_name)));
  XML_SetUserData(raw, parser.get());
  XML_SetElementHandler(raw, XmlCallbacks::Start, XmlCallbacks::End);
  XML_SetCharacterDataHandler(raw, XmlCallbacks::Text);
  XML_SetStartDoctypeDeclHandler(raw, XmlCallbacks::Doctype);
  XML_SetParamEntityParsing(raw, XML_PARAM_ENTITY_PARSING_NEVER);
  return parser;
}

void XmlParser::Stop() {
  if (!stopped_) XML_StopParser(parser_, XML_FALSE);
  stopped_ = true;
}

core::Status XmlParser::Feed(std::string_view data, bool last) {
  if (stopped_) return core::Ok();
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return core::Fail(core::Code::kResourceExhausted, "XML が大きすぎます", "XML chunk too large");
  }
  const XML_Status status =
      XML_Parse(parser_, data.data(), static_cast<int>(data.size()), last ? 1 : 0);
  if (doctype_seen_) {
    stopped_ = true;
    return core::Fail(core::Code::kInvalidArgument,
                      "Excel ファイルの XML に DOCTYPE があり、読めません",
                      StrCat(part_name_, " has a DOCTYPE, which OOXML never has"));
  }
  if (status == XML_STATUS_ERROR) {
    if (stopped_ && XML_GetErrorCode(parser_) == XML_ERROR_ABORTED) return core::Ok();
    return core::Fail(
        core::Code::kInvalidArgument, "Excel ファイルの XML が壊れているため読めません",
        StrCat("malformed XML in ", part_name_, " at line ", XML_GetCurrentLineNumber(parser_), ": ", XML_ErrorString(XML_GetErrorCode(parser_))));
  }
  return core::Ok();
}

}  // namespace ichigen::io
