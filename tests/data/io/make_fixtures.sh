#!/bin/sh
# Regenerates the I/O test fixtures. CSV files in CP932 are made with
# glibc iconv (as a Windows machine would hold them); XLSX files are written
# by LibreOffice Calc (apt-get install -y libreoffice-calc-nogui) from the
# flat-XML spreadsheet workbook.fods and from plain.csv. Run from anywhere:
#   sh tests/data/io/make_fixtures.sh
set -eu
cd "$(dirname "$0")"
crlf() { sed 's/$/\r/'; }

# CP932, CRLF, as Excel saves "CSV (コンマ区切り)". 〜 is U+301C and ～ U+FF5E
# in the source text: both become 0x8160; − (U+2212) becomes 0x817C.
crlf <<'CSV' | iconv -f UTF-8 -t CP932 > cp932_excel.csv
HER-SYS ID,氏名,住所,備考
1234567,髙橋 一郎,横浜市中区1〜2,①発熱 ㈱ヨコハマ
2345678,山﨑 花子,川崎市−3,9:00～17:00
CSV

# CP932 with two title rows and a blank line above the header.
crlf <<'CSV' | iconv -f UTF-8 -t CP932 > cp932_title_rows.csv
令和4年8月1日 発生届一覧
作成: 神奈川県

HER-SYS ID,氏名,届出日
1234567,髙橋 一郎,R4.8.1
CSV

# UTF-8 with BOM, LF line ends.
printf '\357\273\277' > utf8_bom.csv
cat >> utf8_bom.csv <<'CSV'
氏名,フリガナ
髙橋 一郎,タカハシ イチロウ
CSV

# Quoted fields with embedded newlines and "" escapes, CRLF ends; the
# embedded newline inside the quotes is a bare LF, as Excel writes it.
printf 'id,note,tail\r\n1,"line one\nline two",x\r\n2,"say ""hi"", then go",y\r\n3,"",z\r\n' \
  > quoted_newlines.csv

# Malformed records among good ones.
printf 'a,b,c\n1,ab"c,d\n2,"quoted"junk,e\n3,ok,f\n' > stray_quote.csv

# An unterminated quote near the end: it must not swallow the lines after.
printf 'a,b\n1,"never closed\n2,two\n3,three\n' > unterminated_quote.csv

: > empty.csv
printf 'HER-SYS ID,氏名,住所\r\n' > header_only.csv

# Binary files that are neither CSV nor XLSX.
printf '\320\317\021\340\241\261\032\341\000\000\000\000' > legacy.xls
printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj\n' > document.pdf

# XLSX written by LibreOffice.
printf 'id,name,count\n1,髙橋,10\n2,山﨑,20\n' > plain.csv
soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir . plain.csv >/dev/null
soffice --headless --convert-to xlsx --outdir . workbook.fods >/dev/null
rm -f plain.csv
# A truncated copy of a real workbook: a damaged zip.
head -c 1000 workbook.xlsx > truncated.xlsx
