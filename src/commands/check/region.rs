//! Provinces of mainland China: the filing province, the province an ID number or a credit code was
//! issued in (the GB/T 2260 division code they start with), and the province an address names.

use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::fmt;

/// One provincial-level division that files ICP records (a 管局 of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    /// The first two digits of its GB/T 2260 division code.
    pub code: u8,
    /// Short name, as addresses start: 浙江, 内蒙古.
    pub name: &'static str,
    /// One-character abbreviation that starts its filing numbers: 浙ICP备….
    pub abbr: &'static str,
    pub pinyin: &'static str,
}

const fn p(code: u8, name: &'static str, abbr: &'static str, pinyin: &'static str) -> Province {
    Province {
        code,
        name,
        abbr,
        pinyin,
    }
}

pub const PROVINCES: [Province; 31] = [
    p(11, "北京", "京", "beijing"),
    p(12, "天津", "津", "tianjin"),
    p(13, "河北", "冀", "hebei"),
    p(14, "山西", "晋", "shanxi"),
    p(15, "内蒙古", "蒙", "neimenggu"),
    p(21, "辽宁", "辽", "liaoning"),
    p(22, "吉林", "吉", "jilin"),
    p(23, "黑龙江", "黑", "heilongjiang"),
    p(31, "上海", "沪", "shanghai"),
    p(32, "江苏", "苏", "jiangsu"),
    p(33, "浙江", "浙", "zhejiang"),
    p(34, "安徽", "皖", "anhui"),
    p(35, "福建", "闽", "fujian"),
    p(36, "江西", "赣", "jiangxi"),
    p(37, "山东", "鲁", "shandong"),
    p(41, "河南", "豫", "henan"),
    p(42, "湖北", "鄂", "hubei"),
    p(43, "湖南", "湘", "hunan"),
    p(44, "广东", "粤", "guangdong"),
    p(45, "广西", "桂", "guangxi"),
    p(46, "海南", "琼", "hainan"),
    p(50, "重庆", "渝", "chongqing"),
    p(51, "四川", "蜀", "sichuan"),
    p(52, "贵州", "黔", "guizhou"),
    p(53, "云南", "滇", "yunnan"),
    p(54, "西藏", "藏", "xizang"),
    p(61, "陕西", "陕", "shaanxi"),
    p(62, "甘肃", "陇", "gansu"),
    p(63, "青海", "青", "qinghai"),
    p(64, "宁夏", "宁", "ningxia"),
    p(65, "新疆", "新", "xinjiang"),
];

/// Suffixes of the full names (浙江省, 广西壮族自治区), longest first.
const SUFFIXES: [&str; 6] = [
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "自治区",
    "省",
    "市",
];

impl Province {
    pub fn by_code(code: u8) -> Option<Province> {
        PROVINCES.iter().copied().find(|p| p.code == code)
    }

    /// 浙江, 浙江省, 浙, zhejiang; 川 is also accepted for Sichuan.
    pub fn parse(text: &str) -> Option<Province> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        let bare = SUFFIXES
            .iter()
            .find_map(|suffix| text.strip_suffix(suffix))
            .unwrap_or(text);
        PROVINCES.iter().copied().find(|p| {
            p.name == bare || p.abbr == text || p.pinyin == lower || (p.code == 51 && text == "川")
        })
    }

    /// The province an address starts with, if it names one.
    pub fn of_address(address: &str) -> Option<Province> {
        let address = address.trim_start();
        PROVINCES
            .iter()
            .copied()
            .find(|p| address.starts_with(p.name))
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl<'de> Deserialize<'de> for Province {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Province::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown province '{text}'; write it as 浙江, 浙江省 or zhejiang"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Province;

    #[test]
    fn parses_names_full_names_abbreviations_and_pinyin() {
        for text in ["浙江", "浙江省", "浙", "zhejiang", "Zhejiang"] {
            assert_eq!(Province::parse(text).map(|p| p.code), Some(33), "{text}");
        }
        assert_eq!(Province::parse("广西壮族自治区").map(|p| p.code), Some(45));
        assert_eq!(Province::parse("上海市").map(|p| p.code), Some(31));
        assert_eq!(Province::parse("川").map(|p| p.code), Some(51));
        assert_eq!(Province::parse("香港"), None);
        assert_eq!(Province::parse("江"), None);
    }

    #[test]
    fn finds_the_province_an_address_starts_with() {
        assert_eq!(
            Province::of_address("浙江省杭州市西湖区文三路1号").map(|p| p.code),
            Some(33)
        );
        assert_eq!(Province::of_address("杭州市西湖区文三路1号"), None);
        // 山西 and 陕西 must not be confused.
        assert_eq!(
            Province::of_address("陕西省西安市").map(|p| p.code),
            Some(61)
        );
    }
}
