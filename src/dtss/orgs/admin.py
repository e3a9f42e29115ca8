from django.contrib import admin

from dtss.orgs import models


@admin.register(models.County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "county")
    list_filter = ("county",)


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "county", "district", "stage", "area", "student_count")
    list_filter = ("county", "stage", "area", "ownership")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(models.AcademicTerm)
class AcademicTermAdmin(admin.ModelAdmin):
    list_display = ("roc_year", "semester", "start_date", "end_date")


@admin.register(models.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("school", "term", "grade", "number", "homeroom_teacher")
    list_filter = ("term",)
    search_fields = ("school__name_zh", "school__code")
    raw_id_fields = ("homeroom_teacher", "school")


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    raw_id_fields = ("school",)


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "external_id", "county", "active")
    list_filter = ("county", "active")
    search_fields = ("name", "external_id", "email")
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "role", "title", "county", "school")
    list_filter = ("role", "county")
    raw_id_fields = ("person", "school")


@admin.register(models.Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("school_class", "seat_number", "student")
    raw_id_fields = ("student", "school_class", "school")


@admin.register(models.Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ("parent", "child", "relation")
    raw_id_fields = ("parent", "child")


admin.site.register(models.PromotionOffice)
admin.site.register(models.OfficeGroup)
admin.site.register(models.WorkPlan)
admin.site.register(models.OfficeTask)
