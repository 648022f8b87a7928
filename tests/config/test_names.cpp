// The names derived from the maturity, the container id and the domain.

#include "support.hpp"

#include <catch2/catch.hpp>

using namespace leafsynth::containermanager;

TEST_CASE("application id per maturity", "[config][names]") {
    CHECK(application_id(Maturity::Prod) == "ContainerManager");
    CHECK(application_id(Maturity::Devel) == "ContainerManager-devel");
}

TEST_CASE("container id from the leaf config path", "[config][names]") {
    CHECK(container_id_from_path("Minecraft.java.example.yaml") == "minecraft.java.example");
    CHECK(container_id_from_path("/work/shared/configs/minecraft.java.example.yaml") == "minecraft.java.example");
    CHECK(container_id_from_path("configs/Valheim.example.yml") == "valheim.example");
    CHECK(container_id_from_path("relative/dir.with.dots/Factorio") == "factorio");
}

TEST_CASE("container id alpha follows Python's str.title() and drops non-letters", "[config][names]") {
    CHECK(container_id_alpha("minecraft.java.example") == "MinecraftJavaExample");
    CHECK(container_id_alpha("valheim.example") == "ValheimExample");
    // str.title(): a letter after a non-letter (digit included) is upper-cased, others lower-cased.
    CHECK(container_id_alpha("mc2server") == "McServer");     // "Mc2Server"
    CHECK(container_id_alpha("7days-to-die") == "DaysToDie"); // "7Days-To-Die"
    CHECK(container_id_alpha("MiXeD_CaSe") == "MixedCase");   // "Mixed_Case"
    CHECK(container_id_alpha("ark.survival_evolved") == "ArkSurvivalEvolved");
    CHECK(container_id_alpha("x") == "X");
    CHECK(container_id_alpha("123") == "");
}

TEST_CASE("container id validation", "[config][names]") {
    CHECK_NOTHROW(validate_container_id("minecraft.java.example"));
    CHECK_NOTHROW(validate_container_id("7days_to-die"));
    CHECK_THROWS_AS(validate_container_id(""), leafsynth::InputError);
    CHECK_THROWS_WITH(validate_container_id("Minecraft"), Catch::Contains("'M'"));
    CHECK_THROWS_WITH(validate_container_id("a..b"), Catch::Contains("empty part"));
    CHECK_THROWS_WITH(validate_container_id("abc."), Catch::Contains("ends with a dot"));
    CHECK_THROWS_WITH(validate_container_id("has space"), Catch::Contains("' '"));
    CHECK_THROWS_WITH(validate_container_id("1234"), Catch::Contains("no letter"));
    CHECK_THROWS_WITH(validate_container_id(std::string(64, 'a')), Catch::Contains("longer than 63"));
}

TEST_CASE("stack names", "[config][names]") {
    const std::string prod = application_id(Maturity::Prod);
    CHECK(base_stack_name(prod) == "ContainerManager-BaseStack");
    CHECK(leaf_stack_id(prod, "minecraft.java.example") == "ContainerManager-MinecraftJavaExample");
    CHECK(domain_stack_name(prod, "minecraft.java.example") == "ContainerManager-MinecraftJavaExample-DomainStack");
    CHECK(leaf_stack_name(prod, "minecraft.java.example") == "ContainerManager-MinecraftJavaExample-Stack");
    CHECK(link_together_stack_name(prod, "minecraft.java.example") ==
          "ContainerManager-MinecraftJavaExample-LinkTogetherStack");

    const std::string devel = application_id(Maturity::Devel);
    CHECK(base_stack_name(devel) == "ContainerManager-devel-BaseStack");
    CHECK(leaf_stack_name(devel, "valheim.example") == "ContainerManager-devel-ValheimExample-Stack");
}

TEST_CASE("sub-domain and DNS log filter", "[config][names]") {
    CHECK(sub_domain("minecraft.java.example", "example.com") == "minecraft.java.example.example.com");
    CHECK(sub_domain("Valheim", "Example.COM") == "valheim.example.com");
    CHECK(dns_log_filter("minecraft.java.example.example.com") == " minecraft.java.example.example.com A ");
}

TEST_CASE("leaf_names computes every name together", "[config][names]") {
    const auto n = leaf_names(Maturity::Prod, container_id_from_path("Minecraft.java.example.yaml"), "Example.com");
    CHECK(n.app_id == "ContainerManager");
    CHECK(n.container_id == "minecraft.java.example");
    CHECK(n.alpha == "MinecraftJavaExample");
    CHECK(n.stack_id == "ContainerManager-MinecraftJavaExample");
    CHECK(n.base_stack == "ContainerManager-BaseStack");
    CHECK(n.domain_stack == "ContainerManager-MinecraftJavaExample-DomainStack");
    CHECK(n.leaf_stack == "ContainerManager-MinecraftJavaExample-Stack");
    CHECK(n.link_together_stack == "ContainerManager-MinecraftJavaExample-LinkTogetherStack");
    CHECK(n.sub_domain == "minecraft.java.example.example.com");
    CHECK(n.dns_log_filter == " minecraft.java.example.example.com A ");

    const auto d = leaf_names(Maturity::Devel, "valheim.example", "example.com");
    CHECK(d.app_id == "ContainerManager-devel");
    CHECK(d.link_together_stack == "ContainerManager-devel-ValheimExample-LinkTogetherStack");

    CHECK_THROWS_AS(leaf_names(Maturity::Prod, "Not Valid", "example.com"), leafsynth::InputError);
}
